// Command securepair is the project's command-line tool.
//
//	securepair demo    in one process: a TLS 1.3 server and client on 127.0.0.1,
//	                   what they negotiated, and one echoed line
package main

import (
	"fmt"
	"os"
)

const usage = `usage: securepair <command>

commands:
  demo    run a TLS 1.3 server and client on 127.0.0.1 in this process and show
          what they negotiated (needs no files and no flags)
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "demo":
		err = runDemo(os.Stdout)
	case "help", "-h", "--help":
		fmt.Print(usage)
		return
	default:
		fmt.Fprintf(os.Stderr, "securepair: unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "securepair:", err)
		os.Exit(1)
	}
}
