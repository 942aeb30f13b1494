package cmd

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"github.com/sessctl/sessctl/client"
)

// parseURLArgs reads the URL arguments of visit, audit and bench through
// client.ParseURL; a bad one is a usage error.
func parseURLArgs(args []string) ([]string, error) {
	var urls []string
	for _, a := range args {
		u, err := client.ParseURL(a)
		if err != nil {
			return nil, &usageError{err}
		}
		urls = append(urls, u)
	}
	return urls, nil
}

// parseURLArg is the URL argument of a command that takes at most one
// (visit, audit): "" when none is given.
func parseURLArg(args []string) (string, error) {
	urls, err := parseURLArgs(args)
	if err != nil || len(urls) == 0 {
		return "", err
	}
	return urls[0], nil
}

// parseVisitHeaders reads -H "Name: value" lines into the header visit and
// audit send.
func parseVisitHeaders(lines []string) (http.Header, error) {
	kvs, err := parseHeaderLines(lines)
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	for _, kv := range kvs {
		h.Add(kv[0], kv[1])
	}
	return h, nil
}

// parseHeaderLines reads -H "Name: value" lines in the user's order, the
// names in canonical form (accept-language: Accept-Language).
func parseHeaderLines(lines []string) ([][2]string, error) {
	var kvs [][2]string
	for _, line := range lines {
		name, value, ok := strings.Cut(line, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return nil, fmt.Errorf("-H %q: want \"Name: value\"", line)
		}
		kvs = append(kvs, [2]string{http.CanonicalHeaderKey(name), strings.TrimSpace(value)})
	}
	return kvs, nil
}

// jsonContentType is --json's Content-Type and Accept, unless -H sets
// them; client.Visit sends other bodies as a form (as curl -d).
const jsonContentType = "application/json"

// bodyFlags are curl's request body flags: -d/--data, --data-binary and
// --json (curl 7.82), at most one of them.
type bodyFlags struct {
	data, binary, json string
}

func (b *bodyFlags) register(f *pflag.FlagSet) {
	f.StringVarP(&b.data, "data", "d", "", "request body, sent as a form (application/x-www-form-urlencoded unless -H sets a Content-Type); @FILE reads FILE, @- stdin, CR and LF dropped (as curl -d)")
	f.StringVar(&b.binary, "data-binary", "", "request body as --data, but @FILE and @- are sent byte for byte (as curl --data-binary)")
	f.StringVar(&b.json, "json", "", "JSON request body, with Content-Type and Accept: application/json unless -H sets them; @FILE reads FILE, @- stdin, as they are (as curl --json)")
}

// read returns the body the flags give (nil when none was given, empty
// when an empty one was) and, for --json, sets Content-Type and Accept in
// h unless h has them.
func (b *bodyFlags) read(f *pflag.FlagSet, stdin io.Reader, h http.Header) ([]byte, error) {
	var given []string
	for _, name := range []string{"data", "data-binary", "json"} {
		if f.Changed(name) {
			given = append(given, "--"+name)
		}
	}
	switch len(given) {
	case 0:
		return nil, nil
	case 1:
	default:
		return nil, &usageError{fmt.Errorf("%s exclude each other: give one request body", strings.Join(given, " and "))}
	}
	var body []byte
	var err error
	switch given[0] {
	case "--data":
		body, err = readFormData(b.data, stdin)
	case "--data-binary":
		body, err = readBodyArg("--data-binary", b.binary, stdin)
	case "--json":
		body, err = readBodyArg("--json", b.json, stdin)
		setDefaultHeader(h, "Content-Type", jsonContentType)
		setDefaultHeader(h, "Accept", jsonContentType)
	}
	if err != nil {
		return nil, err
	}
	if body == nil {
		body = []byte{} // an empty body is still a body: POST, Content-Length: 0
	}
	return body, nil
}

// readFormData reads -d/--data of visit and bench: the string itself, or
// with @ a file (@- for stdin) with CR and LF removed, as curl -d does; an
// empty body is not nil.
func readFormData(data string, stdin io.Reader) ([]byte, error) {
	b, err := readBodyArg("--data", data, stdin)
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(data, "@") {
		b = bytes.ReplaceAll(bytes.ReplaceAll(b, []byte("\r"), nil), []byte("\n"), nil)
	}
	if b == nil {
		b = []byte{}
	}
	return b, nil
}

// readBodyArg is a body flag's value: the text itself, or with @ a file's
// content (@- stdin; a closed stdin is an error, as there is nothing to
// read there, not even an empty body).
func readBodyArg(flag, arg string, stdin io.Reader) ([]byte, error) {
	name, ok := strings.CutPrefix(arg, "@")
	if !ok {
		return []byte(arg), nil
	}
	if name == "-" {
		if stdinClosed(stdin) {
			return nil, fmt.Errorf("%s @-: stdin is closed", flag)
		}
		b, err := io.ReadAll(stdin)
		if err != nil {
			return nil, fmt.Errorf("%s @-: read stdin: %w", flag, err)
		}
		return b, nil
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	return b, nil
}

// setDefaultHeader sets name in h unless h has it.
func setDefaultHeader(h http.Header, name, value string) {
	if len(h.Values(name)) == 0 {
		h.Set(name, value)
	}
}
