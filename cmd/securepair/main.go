// Command securepair is the project's command-line tool: a demo, the seed's
// echo server, an s_client-like client, and a certificate maker.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
)

const usage = `usage: securepair <command>

commands:
  demo     run a TLS server and client on 127.0.0.1 in this process and show
           what they negotiated (needs no files and no flags)
  server   the seed's echo server: "welcome!" then echo (securepair server -h)
  client   connect like openssl s_client: stdin to the peer, the peer to stdout
  certs    write a CA, a server and a client certificate as PEM (-out DIR)

Run "securepair <command> -h" for a command's options.
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
	case "server":
		err = runServer(os.Args[2:], os.Stdout, os.Stderr)
	case "client":
		err = runClient(os.Args[2:], os.Stdin, os.Stdout, os.Stderr)
	case "certs":
		err = runCerts(os.Args[2:], os.Stdout, os.Stderr)
	case "help", "-h", "--help":
		fmt.Print(usage)
		return
	default:
		fmt.Fprintf(os.Stderr, "securepair: unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "securepair:", err)
		os.Exit(1)
	}
}
