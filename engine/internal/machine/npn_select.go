package machine

// selectNPN is the client's choice (OpenSSL's SSL_select_next_proto): the
// first of the server's protocols the client supports, else the client's
// first protocol.
func selectNPN(server, client []string) string {
	for _, p := range server {
		if contains(client, p) {
			return p
		}
	}
	if len(client) > 0 {
		return client[0]
	}
	return ""
}
