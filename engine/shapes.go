package engine

import utls "github.com/refraction-networking/utls"

// ClientHelloIDs returns every ClientHello shape uTLS v1.8.2 names, by the
// name of its uTLS variable (HelloChrome_133, HelloFirefox_120, ...), for
// Config.ClientHelloID. The map is a fresh copy.
func ClientHelloIDs() map[string]utls.ClientHelloID {
	return map[string]utls.ClientHelloID{
		"HelloGolang": utls.HelloGolang, "HelloRandomized": utls.HelloRandomized,
		"HelloRandomizedALPN": utls.HelloRandomizedALPN, "HelloRandomizedNoALPN": utls.HelloRandomizedNoALPN,
		"HelloFirefox_Auto": utls.HelloFirefox_Auto, "HelloFirefox_55": utls.HelloFirefox_55, "HelloFirefox_56": utls.HelloFirefox_56,
		"HelloFirefox_63": utls.HelloFirefox_63, "HelloFirefox_65": utls.HelloFirefox_65, "HelloFirefox_99": utls.HelloFirefox_99,
		"HelloFirefox_102": utls.HelloFirefox_102, "HelloFirefox_105": utls.HelloFirefox_105, "HelloFirefox_120": utls.HelloFirefox_120,
		"HelloChrome_Auto": utls.HelloChrome_Auto, "HelloChrome_58": utls.HelloChrome_58, "HelloChrome_62": utls.HelloChrome_62,
		"HelloChrome_70": utls.HelloChrome_70, "HelloChrome_72": utls.HelloChrome_72, "HelloChrome_83": utls.HelloChrome_83,
		"HelloChrome_87": utls.HelloChrome_87, "HelloChrome_96": utls.HelloChrome_96, "HelloChrome_100": utls.HelloChrome_100,
		"HelloChrome_102": utls.HelloChrome_102, "HelloChrome_106_Shuffle": utls.HelloChrome_106_Shuffle,
		"HelloChrome_100_PSK": utls.HelloChrome_100_PSK, "HelloChrome_112_PSK_Shuf": utls.HelloChrome_112_PSK_Shuf,
		"HelloChrome_114_Padding_PSK_Shuf": utls.HelloChrome_114_Padding_PSK_Shuf, "HelloChrome_115_PQ": utls.HelloChrome_115_PQ,
		"HelloChrome_115_PQ_PSK": utls.HelloChrome_115_PQ_PSK, "HelloChrome_120": utls.HelloChrome_120,
		"HelloChrome_120_PQ": utls.HelloChrome_120_PQ, "HelloChrome_131": utls.HelloChrome_131, "HelloChrome_133": utls.HelloChrome_133,
		"HelloIOS_Auto": utls.HelloIOS_Auto, "HelloIOS_11_1": utls.HelloIOS_11_1, "HelloIOS_12_1": utls.HelloIOS_12_1,
		"HelloIOS_13": utls.HelloIOS_13, "HelloIOS_14": utls.HelloIOS_14, "HelloAndroid_11_OkHttp": utls.HelloAndroid_11_OkHttp,
		"HelloEdge_Auto": utls.HelloEdge_Auto, "HelloEdge_85": utls.HelloEdge_85, "HelloEdge_106": utls.HelloEdge_106,
		"HelloSafari_Auto": utls.HelloSafari_Auto, "HelloSafari_16_0": utls.HelloSafari_16_0,
		"Hello360_Auto": utls.Hello360_Auto, "Hello360_7_5": utls.Hello360_7_5, "Hello360_11_0": utls.Hello360_11_0,
		"HelloQQ_Auto": utls.HelloQQ_Auto, "HelloQQ_11_1": utls.HelloQQ_11_1,
	}
}
