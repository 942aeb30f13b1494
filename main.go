// Command sessctl sees and stresses web session machinery from outside: a
// visiting client with a persistent cookie jar, a decoder for the session
// cookies of the major frameworks, a load tool that checks the session counter
// stays consistent, and an embedded Express-compatible session server.
package main

import (
	"os"

	"github.com/sessctl/sessctl/cmd"
)

func main() { os.Exit(cmd.Main()) }
