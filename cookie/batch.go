package cookie

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"time"
)

// BatchOptions configures DecodeAll.
type BatchOptions struct {
	// Keys verify signatures and decrypt payloads.
	Keys Keys
	// Format forces a format by name; empty (the default) detects each
	// input's own.
	Format string
	// Now gives the time expiry is judged against; nil means time.Now.
	Now func() time.Time
	// MaxAge, when above 0, is the app's own session lifetime: values
	// signed longer ago are expired. 0 (the default) uses each framework's
	// default lifetime (JudgeAge).
	MaxAge time.Duration
	// Workers is the number of goroutines a wordlist search uses; 0 (the
	// default) means one per CPU.
	Workers int
	// Wordlist opens the list of candidate secrets, one a line, once per
	// input whose secret is searched for. Nil (the default) searches for no
	// secret.
	Wordlist func() (io.ReadCloser, error)
	// Searching, when not nil, is called before the wordlist is searched for
	// in's secret, for a progress line.
	Searching func(in Input)
	// Progress, when not nil, is called during each search, as
	// AuditOptions.Progress is, with the input searched for.
	Progress func(in Input, p AuditProgress)
}

// Batch is what DecodeEach or DecodeAll found: the counts its Outcome is
// judged from, and with DecodeAll one Decoded per input, in input order.
type Batch struct {
	Decoded []*Decoded
	// Now is the time expiry was judged against.
	Now time.Time
	// Inputs is the number of inputs.
	Inputs int
	// Undecoded counts the inputs the user gave (OriginUser) that could not
	// be decoded; Foreign counts the cookies from a jar or a server that
	// could not be decoded. Both are listed with format "unknown".
	Undecoded int
	Foreign   int
	// Invalid counts the signatures no given secret or key verifies;
	// Undecrypted the values whose signature verifies but that no given key
	// decrypts (a wrong block key or cipher).
	Invalid     int
	Undecrypted int
	// Searched is true when a wordlist was given. Audited counts the inputs
	// whose secret it was searched for, NotFound those it holds no secret
	// for.
	Searched bool
	Audited  int
	NotFound int
	// Unaudited lists the signed inputs the wordlist could not be tried on,
	// and why (a public-key JWT, ...).
	Unaudited []Unaudited
}

// saltedAuditor is an Auditor whose search can try custom salts too
// (--salt: Flask and Django).
type saltedAuditor interface {
	prepareSalted(in Input, salts []string) (Target, error)
}

// AuditInterruptedError is returned when ctx ends a wordlist search before
// it is done: Result counts the candidates tried.
type AuditInterruptedError struct {
	Input  Input
	Result AuditResult
	Err    error
}

func (e *AuditInterruptedError) Error() string {
	return fmt.Sprintf("wordlist search interrupted after %d candidates: %v", e.Result.Candidates, e.Err)
}

// Unwrap returns the context's error.
func (e *AuditInterruptedError) Unwrap() error { return e.Err }

// Unaudited is a signed input whose secret could not be searched for.
type Unaudited struct {
	Input Input
	Err   error
}

// Outcome is what a batch says of the run as a whole.
type Outcome int

// Outcomes, from best to worst.
const (
	// BatchOK: every input the user gave decoded and no check said no.
	BatchOK Outcome = iota
	// BatchCheckFailed: a signature did not verify, or the wordlist holds no
	// secret for an input, or no input could be searched for at all.
	BatchCheckFailed
	// BatchUndecodable: an input the user gave could not be decoded.
	BatchUndecodable
	// BatchEmpty: there was no input at all, nothing was checked.
	BatchEmpty
)

// Outcome returns the batch's outcome and a one-line summary of it, empty
// for BatchOK. An undecodable input the user gave outweighs a failed check;
// cookies from a jar or a server that could not be decoded change nothing.
func (b *Batch) Outcome() (Outcome, string) {
	switch {
	case b.Inputs == 0:
		return BatchEmpty, "nothing to decode: no cookie in the input"
	case b.Undecoded > 0:
		return BatchUndecodable, fmt.Sprintf("%d of %d inputs could not be decoded", b.Undecoded, b.Inputs)
	case b.Searched && b.Audited == 0:
		return BatchCheckFailed, "no input is signed with an HMAC secret a wordlist can search for"
	case b.NotFound > 0:
		return BatchCheckFailed, fmt.Sprintf("the wordlist holds no secret for %d of %d inputs", b.NotFound, b.Audited)
	case b.Invalid > 0:
		return BatchCheckFailed, fmt.Sprintf("%d of %d signatures did not verify", b.Invalid, b.Inputs)
	case b.Undecrypted > 0:
		return BatchCheckFailed, fmt.Sprintf("%d of %d values did not decrypt with the given keys", b.Undecrypted, b.Inputs)
	}
	return BatchOK, ""
}

// DecodeAll decodes every input with opts.Keys, as DecodeEach does, and
// keeps the results in b.Decoded, in input order.
func DecodeAll(ctx context.Context, ins []Input, opts BatchOptions) (*Batch, error) {
	var ds []*Decoded
	b, err := DecodeEach(ctx, Inputs(ins), opts, func(d *Decoded) error {
		ds = append(ds, d)
		return nil
	})
	if err != nil {
		return nil, err
	}
	b.Decoded = ds
	return b, nil
}

// Inputs returns a DecodeEach source that yields ins, then io.EOF.
func Inputs(ins []Input) func() ([]Input, error) {
	done := false
	return func() ([]Input, error) {
		if done {
			return nil, io.EOF
		}
		done = true
		return ins, nil
	}
}

// DecodeEach decodes the inputs next returns, a group at a time until it
// returns io.EOF, with opts.Keys (in opts.Format when it is set), and hands
// each result to emit as soon as it is made: memory does not grow with the
// number of inputs. An input that cannot be decoded is emitted with format
// "unknown" and the reason in Error. With opts.Wordlist, the secret of every
// input signed with an HMAC secret is searched for; a found secret decodes
// the input again and adds the weak-secret warning. DecodeEach fails when
// next or emit fails, when the wordlist cannot be opened or read, or when
// ctx is done; b.Decoded stays empty.
func DecodeEach(ctx context.Context, next func() ([]Input, error), opts BatchOptions, emit func(*Decoded) error) (*Batch, error) {
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	b := &Batch{Now: now(), Searched: opts.Wordlist != nil}
	for {
		ins, err := next()
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		for _, in := range ins {
			if err := ctx.Err(); err != nil {
				return b, err
			}
			d, err := b.decode(ctx, in, opts)
			if err != nil {
				return b, err
			}
			b.Inputs++
			if err := emit(d); err != nil {
				return b, err
			}
		}
	}
}

// decode decodes one input and counts it.
func (b *Batch) decode(ctx context.Context, in Input, opts BatchOptions) (*Decoded, error) {
	d, err := Decode(in, opts.Keys, opts.Format)
	if err != nil {
		if !errors.Is(err, ErrUnknownFormat) && !errors.Is(err, ErrMalformed) {
			return nil, err
		}
		if in.Origin == OriginUser {
			b.Undecoded++
		} else {
			b.Foreign++
		}
		return &Decoded{Name: in.Name, Format: "unknown", SecretIndex: -1,
			SizeBytes: len(in.Name) + len(in.Value), Warnings: []string{}, Error: err.Error()}, nil
	}
	JudgeAge(d, opts.MaxAge, b.Now)
	if opts.Wordlist != nil {
		if d, err = b.audit(ctx, in, d, opts); err != nil {
			return nil, err
		}
	}
	switch {
	case d.Signature == Invalid:
		b.Invalid++
	case hasWarningPrefix(d, "decryption failed:"):
		b.Undecrypted++
	}
	return d, nil
}

// audit searches the wordlist for in's secret and counts the search. It
// returns d, or in decoded again with the secret it found. Unsigned inputs
// and formats that are not Auditors are left alone.
func (b *Batch) audit(ctx context.Context, in Input, d *Decoded, opts BatchOptions) (*Decoded, error) {
	if d.Signature == Unsigned {
		return d, nil
	}
	f, _ := FormatByName(d.Format)
	a, ok := f.(Auditor)
	if !ok {
		return d, nil
	}
	var t Target
	var err error
	if sa, ok := f.(saltedAuditor); ok && len(opts.Keys.Salts) > 0 {
		t, err = sa.prepareSalted(in, opts.Keys.Salts)
	} else {
		t, err = a.Prepare(in)
	}
	if err != nil {
		b.Unaudited = append(b.Unaudited, Unaudited{Input: in, Err: err})
		return d, nil
	}
	wl, err := opts.Wordlist()
	if err != nil {
		return nil, fmt.Errorf("wordlist: %w", err)
	}
	defer wl.Close()
	if opts.Searching != nil {
		opts.Searching(in)
	}
	ao := AuditOptions{Workers: opts.Workers}
	if st, ok := wl.(interface{ Stat() (fs.FileInfo, error) }); ok {
		if fi, err := st.Stat(); err == nil && fi.Mode().IsRegular() {
			ao.Size = fi.Size()
		}
	}
	if opts.Progress != nil {
		ao.Progress = func(p AuditProgress) { opts.Progress(in, p) }
	}
	res, err := AuditWith(ctx, t, wl, ao)
	if err == nil && !res.Found && ctx.Err() != nil {
		// Audit ends a cancelled search quietly; a partial search is no
		// verdict, but how far it came is worth saying.
		return nil, &AuditInterruptedError{Input: in, Result: res, Err: ctx.Err()}
	}
	if err != nil {
		return nil, fmt.Errorf("search wordlist: %w", err)
	}
	if res.Found {
		k := opts.Keys
		k.Secrets = [][]byte{[]byte(res.Secret)}
		if nd, err := f.Decode(in, k); err == nil {
			// The secret is the wordlist's, not one of the given ones.
			nd.SecretIndex = -1
			JudgeAge(nd, opts.MaxAge, b.Now)
			d = nd
		}
		d.Warnings = append(d.Warnings, fmt.Sprintf(WarnWeakSecretFmt, res.Line))
	}
	d.Audit = &res
	b.Audited++
	if !res.Found {
		b.NotFound++
	}
	return d, nil
}

// hasWarningPrefix reports whether one of d's warnings starts with p.
func hasWarningPrefix(d *Decoded, p string) bool {
	for _, w := range d.Warnings {
		if strings.HasPrefix(w, p) {
			return true
		}
	}
	return false
}
