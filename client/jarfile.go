package client

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gofrs/flock"
)

// This file holds the jar's file: where it is (symlinks followed, devices
// and "-" written in place), reading and writing the Netscape cookies.txt
// format, and Save's locked merge.

// JarOptions configure OpenJar. The zero value reads the file and lets
// Save write it.
type JarOptions struct {
	// ReadOnly makes the jar read its file and never write it: Save does
	// nothing (HTTPie's --session-read-only).
	ReadOnly bool
	// Stdout is where a jar named "-" is written (curl -c -).
	Stdout io.Writer
}

// Jar states, as State reports them: what became of the jar's file.
const (
	JarStateMemory   = "memory"    // no file
	JarStateUnsaved  = "unsaved"   // a file, Save not called yet
	JarStateSaved    = "saved"     // Save wrote the file
	JarStateReadOnly = "read_only" // JarOptions.ReadOnly: read, never written
	JarStateFailed   = "not_saved" // Save failed
	// JarStateUntouched is not a Jar's state: a caller that left a jar
	// file alone (sessctl visit without URL) reports it.
	JarStateUntouched = "untouched"
)

type jarKind int

const (
	jarRegular jarKind = iota // a file, new or not: written by a rename beside it
	jarDirect                 // a device, a FIFO, /proc/self/fd/N: written in place, never read
	jarStdout                 // "-": JarOptions.Stdout
)

type jarFile struct {
	path     string // as given
	target   string // where it is written: path with its symlinks followed
	kind     jarKind
	readOnly bool
	stdout   io.Writer
	state    string
}

// jarLockWait bounds how long Save waits for another process's save.
const jarLockWait = 30 * time.Second

// OpenJar reads the cookies.txt file at path into a new Jar that Save
// writes back. "" gives an in-memory jar. A missing file gives an empty
// jar. A symlink is followed: its target is read and written. A device, a
// FIFO, /dev/stdout and "-" (opts.Stdout) are written in place at Save and
// never read.
//
// What cannot be saved is refused here, before any visit: a directory, a
// path under a file, a file or folder without write permission (unless
// opts.ReadOnly). Lines curl skips are skipped, with a warning
// (Warnings); expired cookies are dropped; a file in which no line is a
// cookie and that has no cookies.txt header is refused, naming the file
// and the first bad line. Past the limits (MaxCookiesPerSite, MaxCookies)
// the oldest cookies are dropped.
func OpenJar(path string, opts JarOptions) (*Jar, error) {
	return openJar(path, opts, time.Now)
}

func openJar(path string, opts JarOptions, now func() time.Time) (*Jar, error) {
	j := newJar(now)
	if path == "" {
		return j, nil
	}
	f, err := locateJarFile(path, opts)
	if err != nil {
		return nil, err
	}
	j.file = f
	if f.kind != jarRegular {
		return j, nil
	}
	cookies, skipped, err := readJarFile(f.target, now())
	if err != nil {
		return nil, fmt.Errorf("read jar %s: %w", path, err)
	}
	const shown = 5
	for i, s := range skipped {
		if i == shown {
			j.warn.addf("%s: %d more lines skipped", path, len(skipped)-shown)
			break
		}
		j.warn.addf("%s: %s: skipped (a save leaves it out, as curl -c does)", path, s)
	}
	for i := range cookies {
		j.put(&cookies[i])
	}
	j.trim()
	return j, nil
}

// Path returns the jar's file as given to OpenJar; "" for an in-memory
// jar.
func (j *Jar) Path() string {
	if j.file == nil {
		return ""
	}
	return j.file.path
}

// State tells what became of the jar's file: JarStateMemory,
// JarStateUnsaved, JarStateSaved, JarStateReadOnly or JarStateFailed.
func (j *Jar) State() string {
	switch {
	case j.file == nil:
		return JarStateMemory
	case j.file.readOnly:
		return JarStateReadOnly
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.file.state
}

// locateJarFile follows path's symlinks and checks that what it ends at
// can be read, and unless opts.ReadOnly written.
func locateJarFile(path string, opts JarOptions) (*jarFile, error) {
	f := &jarFile{path: path, readOnly: opts.ReadOnly, stdout: opts.Stdout, state: JarStateUnsaved}
	if path == "-" {
		f.kind = jarStdout
		if f.stdout == nil && !f.readOnly {
			return nil, errors.New("jar -: no standard output to write it to")
		}
		return f, nil
	}
	target, direct, err := followLinks(path)
	if err != nil {
		return nil, fmt.Errorf("jar %s: %w", path, err)
	}
	f.target = target
	if direct {
		f.kind = jarDirect
	}
	if f.readOnly {
		return f, nil
	}
	if err := checkJarWritable(f); err != nil {
		return nil, fmt.Errorf("jar %s: %w", path, err)
	}
	return f, nil
}

// checkJarWritable refuses a jar Save could not write: a file without
// write permission, or a folder (the nearest that exists) in which the
// temporary file and the lock file cannot be made.
func checkJarWritable(f *jarFile) error {
	if f.kind != jarRegular {
		if err := writable(f.target); err != nil {
			return fmt.Errorf("%s is not writable (%w)", f.target, err)
		}
		return nil
	}
	if _, err := os.Stat(f.target); err == nil {
		if err := writable(f.target); err != nil {
			return fmt.Errorf("%s is not writable (%w)", f.target, err)
		}
	}
	dir := filepath.Dir(f.target)
	for {
		fi, err := os.Stat(dir)
		if err == nil {
			if !fi.IsDir() {
				return fmt.Errorf("%s is not a directory", dir)
			}
			if err := writable(dir); err != nil {
				return fmt.Errorf("cannot write in %s (%w)", dir, err)
			}
			return nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return err
		}
		dir = parent
	}
}

// Save writes the jar. For a file, under a lock (FILE.lock beside it,
// gofrs/flock) it reads the file as it is now and applies this run's
// changes to it cookie by cookie (the cookies stored, replaced and
// deleted since OpenJar), so that another run's cookies saved in between
// are kept; then it writes the result atomically (a temporary file renamed
// over the target, a symlink's target rather than the link), keeping the
// file's mode (0600 for a new file, in a new folder of mode 0700). A
// device or "-" is written in place. Session cookies are written with
// expiry 0, as curl does. Save does nothing for an in-memory or read-only
// jar. After an error nothing was saved; State says so.
func (j *Jar) Save() error {
	f := j.file
	if f == nil || f.readOnly {
		return nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	var err error
	switch f.kind {
	case jarStdout:
		err = writeCookiesTxt(f.stdout, j.liveCookies())
	case jarDirect:
		err = writeJarInPlace(f.target, j.liveCookies())
	default:
		err = j.saveMerged()
	}
	if err != nil {
		f.state = JarStateFailed
		return fmt.Errorf("save jar %s: %w", f.path, err)
	}
	f.state = JarStateSaved
	return nil
}

// liveCookies is every unexpired cookie, sorted; j.mu is held.
func (j *Jar) liveCookies() []JarCookie {
	j.expire(j.now())
	return j.all()
}

func writeJarInPlace(path string, cookies []JarCookie) error {
	w, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if err := writeCookiesTxt(w, cookies); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

// saveMerged is Save for a file; j.mu is held.
func (j *Jar) saveMerged() error {
	target := j.file.target
	if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
		return err
	}
	lock := flock.New(target+".lock", flock.SetPermissions(0o600))
	ctx, cancel := context.WithTimeout(context.Background(), jarLockWait)
	defer cancel()
	if ok, err := lock.TryLockContext(ctx, 10*time.Millisecond); !ok {
		if err == nil || errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("another process has held the lock %s for %s", target+".lock", jarLockWait)
		}
		return fmt.Errorf("lock %s: %w", target+".lock", err)
	}
	defer lock.Unlock()
	giveToDirOwner(target + ".lock")

	now := j.now()
	theirs, _, err := readJarFile(target, now)
	if err != nil {
		return fmt.Errorf("read it again to merge: %w", err)
	}
	j.merge(theirs, now)
	var buf bytes.Buffer
	if err := writeCookiesTxt(&buf, j.all()); err != nil {
		return err
	}
	if err := replaceFile(target, buf.Bytes(), 0o600); err != nil {
		return err
	}
	clear(j.changes)
	return nil
}

// merge makes the jar what the file holds now (theirs) with this run's
// changes applied; j.mu is held. Cookies the jar held already keep their
// creation order; cookies another process added count as new.
func (j *Jar) merge(theirs []JarCookie, now time.Time) {
	old := j.sites
	j.sites, j.n = map[string]map[string]*jarEntry{}, 0
	keep := func(c *JarCookie) {
		site, k := jarSite(c.Domain), c.key()
		seq := uint64(0)
		if e, ok := old[site][k]; ok {
			c.Created, seq = e.Created, e.seq
		} else {
			j.seq++
			seq = j.seq
		}
		if j.sites[site] == nil {
			j.sites[site] = map[string]*jarEntry{}
		}
		if _, dup := j.sites[site][k]; !dup {
			j.n++
		}
		j.sites[site][k] = &jarEntry{JarCookie: *c, site: site, seq: seq}
	}
	for i := range theirs {
		c := &theirs[i]
		if _, mine := j.changes[c.key()]; mine {
			continue
		}
		c.Created = now
		keep(c)
	}
	for _, c := range j.changes {
		if c != nil && !c.expired(now) {
			cp := *c
			keep(&cp)
		}
	}
	j.trim()
}

// readJarFile reads the cookies.txt at path; a missing file holds none.
func readJarFile(path string, now time.Time) (cookies []JarCookie, skipped []string, err error) {
	r, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	defer r.Close()
	return parseCookiesTxt(r, now)
}

// cookiesTxtHeader starts every jar file sessctl writes; curl's own header
// is the same but for the last line.
const cookiesTxtHeader = "# Netscape HTTP Cookie File\n" +
	"# https://curl.se/docs/http-cookies.html\n" +
	"# This file was generated by sessctl. Edit at your own risk.\n\n"

// writeCookiesTxt writes cookies in the Netscape format as curl writes it:
// seven TAB-separated fields (domain with a leading dot for domain cookies,
// include-subdomains, path, secure, expiry in Unix seconds or 0 for a
// session cookie, name, value), "#HttpOnly_" before the domain of an
// HttpOnly cookie.
func writeCookiesTxt(w io.Writer, cookies []JarCookie) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(cookiesTxtHeader)
	for _, c := range cookies {
		if c.HttpOnly {
			bw.WriteString("#HttpOnly_")
		}
		sub := "FALSE"
		if !c.HostOnly {
			bw.WriteByte('.')
			sub = "TRUE"
		}
		var exp int64
		if !c.Session {
			exp = c.Expires.Unix()
		}
		fmt.Fprintf(bw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", c.Domain, sub, c.Path, jarBool(c.Secure), exp, c.Name, c.Value)
	}
	return bw.Flush()
}

func jarBool(b bool) string {
	if b {
		return "TRUE"
	}
	return "FALSE"
}

// maxCookiesTxtLine bounds one line of a jar file, as curl does: a longer
// line is skipped.
const maxCookiesTxtLine = 5000

// ErrNotCookiesTxt: a jar file in which no line is a cookie, without the
// "# Netscape HTTP Cookie File" header.
var ErrNotCookiesTxt = errors.New("not a cookies.txt file")

// parseCookiesTxt reads a Netscape cookies.txt as curl, wget, Python's
// MozillaCookieJar and browsers' exporters write it, dropping the cookies
// that expired at now. A line curl skips is skipped and described in
// skipped (with its number); a file in which no line is a cookie and that
// has no cookies.txt header gives ErrNotCookiesTxt naming the first bad
// line.
func parseCookiesTxt(r io.Reader, now time.Time) (cookies []JarCookie, skipped []string, err error) {
	br := bufio.NewReaderSize(r, 4096)
	header, good := false, 0
	var line []byte
	for n := 1; ; n++ {
		line = line[:0]
		long := false
		for {
			part, isPrefix, err := br.ReadLine()
			if err == io.EOF && len(line) == 0 && !long {
				if good == 0 && !header && len(skipped) > 0 {
					return nil, nil, fmt.Errorf("%s (%w)", skipped[0], ErrNotCookiesTxt)
				}
				return cookies, skipped, nil
			}
			if err != nil && err != io.EOF {
				return nil, nil, err
			}
			if len(line)+len(part) > maxCookiesTxtLine {
				long = true
			} else {
				line = append(line, part...)
			}
			if !isPrefix || err == io.EOF {
				break
			}
		}
		if long {
			skipped = append(skipped, fmt.Sprintf("line %d: longer than %d bytes", n, maxCookiesTxtLine))
			continue
		}
		s := strings.TrimSuffix(string(line), "\r")
		if good == 0 && len(skipped) == 0 && isCookiesTxtHeader(s) {
			header = true
		}
		c, ok, err := parseCookiesTxtLine(s, now)
		if err != nil {
			skipped = append(skipped, fmt.Sprintf("line %d: %v", n, err))
			continue
		}
		if ok {
			good++
			cookies = append(cookies, c)
		}
	}
}

// isCookiesTxtHeader: "# Netscape HTTP Cookie File" (curl, Python,
// browsers) or "# HTTP Cookie File" (wget, Python's reader's rule).
func isCookiesTxtHeader(s string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.HasPrefix(s, "# netscape http cookie file") || strings.HasPrefix(s, "# http cookie file")
}

// parseCookiesTxtLine parses one line as curl reads it; ok is false for
// comments, blank lines and expired cookies.
func parseCookiesTxtLine(line string, now time.Time) (c JarCookie, ok bool, err error) {
	if strings.HasPrefix(line, "#HttpOnly_") {
		line = line[len("#HttpOnly_"):]
		c.HttpOnly = true
	} else if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
		return c, false, nil
	}
	f := strings.Split(line, "\t")
	if len(f) == 6 {
		if f[2] == "TRUE" || f[2] == "FALSE" {
			// curl reads a line without its path field as path "/".
			f = append(f[:2], append([]string{"/"}, f[2:]...)...)
		} else {
			f = append(f, "") // and one without its value as an empty value
		}
	}
	if len(f) != 7 {
		return c, false, fmt.Errorf("want 7 TAB-separated fields, found %d", len(f))
	}
	for _, s := range f {
		for i := 0; i < len(s); i++ {
			if s[i] < ' ' || s[i] == 0x7f {
				return c, false, fmt.Errorf("control character %#02x", s[i])
			}
		}
	}
	c.Domain = strings.ToLower(strings.TrimPrefix(f[0], "."))
	if h, port, err := net.SplitHostPort(c.Domain); err == nil && port != "" {
		c.Domain = h // wget writes host:port for non-default ports
	}
	if c.Domain == "" || c.Domain[0] == '.' || strings.ContainsAny(c.Domain, " ;,/#") {
		return c, false, fmt.Errorf("bad domain %q", f[0])
	}
	// As curl: a flag is true when it starts with TRUE, in any case.
	c.HostOnly = !jarTrue(f[1])
	c.Path = f[2]
	if c.Path == "" || c.Path[0] != '/' {
		c.Path = "/" // curl's sanitize_cookie_path
	}
	c.Secure = jarTrue(f[3])
	c.Name, c.Value = f[5], f[6]
	if c.Name == "" || strings.ContainsAny(c.Name, "=;") {
		return c, false, fmt.Errorf("bad cookie name %q", f[5])
	}
	c.Created = now
	if f[4] == "" {
		// Python's MozillaCookieJar writes a session cookie so.
		c.Session = true
		return c, true, nil
	}
	exp, err := strconv.ParseInt(f[4], 10, 64)
	if err != nil || exp < 0 {
		return c, false, fmt.Errorf("expiry %q is not Unix seconds", f[4])
	}
	if exp == 0 {
		c.Session = true
		return c, true, nil
	}
	if max := now.Add(100 * 365 * 24 * time.Hour).Unix(); exp > max {
		exp = max // keep time.Time sane
	}
	c.Expires = time.Unix(exp, 0).UTC()
	return c, c.Expires.After(now), nil
}

func jarTrue(s string) bool { return len(s) >= 4 && strings.EqualFold(s[:4], "TRUE") }
