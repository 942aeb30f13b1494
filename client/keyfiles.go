package client

import (
	"bufio"
	"crypto"
	"fmt"
	"os"
	"strings"

	"github.com/sessctl/sessctl/cookie"
)

// MaxSecretLine bounds one line of a secret file: 64 KiB.
const MaxSecretLine = 64 << 10

// ReadSecretFile reads the secrets in the file at path, one a line, in
// order: a trailing "\r" is dropped and empty lines are skipped. A file
// without a secret is an error. decode's and serve-demo's --secret-file
// both read with it. Errors name the file, not the flag.
func ReadSecretFile(path string) ([][]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 4<<10), MaxSecretLine)
	line := 0
	for sc.Scan() {
		line++
		if s := strings.TrimSuffix(sc.Text(), "\r"); s != "" {
			out = append(out, []byte(s))
		}
	}
	if err := sc.Err(); err != nil {
		if err == bufio.ErrTooLong {
			return nil, fmt.Errorf("%s: line %d is longer than the %d KiB limit", path, line+1, MaxSecretLine>>10)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no secret in it", path)
	}
	return out, nil
}

// ReadPublicKeyFile reads the PEM public keys and certificates in the file
// at path, for JWTs signed with RS*, PS*, ES* or EdDSA.
func ReadPublicKeyFile(path string) ([]crypto.PublicKey, error) {
	return readPEMFile(path, cookie.ParsePublicKeys)
}

// ReadPrivateKeyFile reads the first PEM private key in the file at path,
// for signing RS*, PS*, ES* and EdDSA JWTs. Errors name the file, not the
// flag.
func ReadPrivateKeyFile(path string) (crypto.Signer, error) {
	return readPEMFile(path, cookie.ParsePrivateKey)
}

// readPEMFile reads the file at path and parses it; a parse error names
// the file.
func readPEMFile[T any](path string, parse func([]byte) (T, error)) (T, error) {
	var zero T
	data, err := os.ReadFile(path)
	if err != nil {
		return zero, err
	}
	k, err := parse(data)
	if err != nil {
		return zero, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}
