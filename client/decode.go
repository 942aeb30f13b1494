package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/sessctl/sessctl/cookie"
)

// DecodeConfig is one decode run: where the inputs come from and what they
// are checked with. Validate reads the files it names.
type DecodeConfig struct {
	DecodeSource
	// Secrets verify signatures, tried in order; SecretFile's lines follow
	// them.
	Secrets    [][]byte
	SecretFile string
	// KeyFiles are PEM files of public keys for asymmetric JWTs.
	KeyFiles []string
	// EncKeys are gorilla/securecookie block keys, raw or "hex:..." or
	// "base64:..." (cookie.ParseKey).
	EncKeys []string
	// Salts are custom salts for Flask and Django values (--salt).
	Salts []string
	// MaxAge, when above 0, is the app's session lifetime, instead of each
	// framework's default (--max-age).
	MaxAge time.Duration
	// Format forces a format by name; "" detects each input's own.
	Format string
	// Wordlist is a file of candidate secrets, one a line, searched for
	// the secret of each signed input; "" searches for none.
	Wordlist string
	// Workers is the goroutines of a wordlist search; 0 means one per CPU.
	Workers int
	// Now gives the time expiry is judged against; nil means time.Now.
	Now func() time.Time
	// Searching, when not nil, is called before the wordlist is searched
	// for an input's secret.
	Searching func(cookie.Input)
	// Progress, when not nil, is called during each wordlist search.
	Progress func(cookie.Input, cookie.AuditProgress)

	keys cookie.Keys
}

// Validate checks the configuration and reads its secret and key files.
// Its errors are the user's: bad flags or files.
func (c *DecodeConfig) Validate() error {
	if err := c.DecodeSource.Validate(); err != nil {
		return err
	}
	if c.Format != "" {
		if _, ok := cookie.FormatByName(c.Format); !ok {
			return fmt.Errorf("--format %q: want one of %s", c.Format, strings.Join(cookie.FormatNames(), ", "))
		}
	}
	if c.Workers < 0 {
		return fmt.Errorf("--workers %d: want 0 (every core) or more", c.Workers)
	}
	if c.MaxAge < 0 {
		return fmt.Errorf("--max-age %s: want a positive duration", c.MaxAge)
	}
	k := cookie.Keys{}
	for i, s := range c.Salts {
		if s == "" {
			return fmt.Errorf("--salt #%d is empty", i+1)
		}
		k.Salts = append(k.Salts, s)
	}
	for i, s := range c.Secrets {
		if len(s) == 0 {
			return fmt.Errorf("--secret #%d is empty", i+1)
		}
		k.Secrets = append(k.Secrets, s)
	}
	if c.SecretFile != "" {
		fs, err := ReadSecretFile(c.SecretFile)
		if err != nil {
			return fmt.Errorf("--secret-file: %w", err)
		}
		k.Secrets = append(k.Secrets, fs...)
	}
	for _, p := range c.KeyFiles {
		ks, err := ReadPublicKeyFile(p)
		if err != nil {
			return fmt.Errorf("--key: %w", err)
		}
		k.PublicKeys = append(k.PublicKeys, ks...)
	}
	for i, s := range c.EncKeys {
		b, err := cookie.ParseKey(s)
		if err != nil {
			return fmt.Errorf("--enc-key #%d: %w", i+1, err)
		}
		k.EncKeys = append(k.EncKeys, b)
	}
	if c.Wordlist != "" {
		if _, err := os.Stat(c.Wordlist); err != nil {
			return fmt.Errorf("--wordlist: %w", err)
		}
	}
	c.keys = k
	return nil
}

// Keys returns the keys Validate read.
func (c *DecodeConfig) Keys() cookie.Keys { return c.keys }

// Decode decodes the inputs of c, which Validate has checked, one at a
// time, and hands each result to emit. An empty run (no cookie in any
// input) is an error.
func Decode(ctx context.Context, c *DecodeConfig, emit func(*cookie.Decoded) error) (*cookie.Batch, error) {
	bo := cookie.BatchOptions{
		Keys:      c.keys,
		Format:    c.Format,
		Now:       c.Now,
		Workers:   c.Workers,
		MaxAge:    c.MaxAge,
		Searching: c.Searching,
		Progress:  c.Progress,
	}
	if c.Wordlist != "" {
		bo.Wordlist = func() (io.ReadCloser, error) { return os.Open(c.Wordlist) }
	}
	b, err := cookie.DecodeEach(ctx, c.DecodeSource.Inputs(ctx), bo, emit)
	if err != nil {
		return b, err
	}
	if b.Inputs == 0 {
		return b, errors.New(c.DecodeSource.nothing())
	}
	return b, nil
}
