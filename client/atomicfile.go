package client

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// This file holds the one way sessctl replaces a file it writes (the jar,
// an HTML report): whole or not at all, through a symlink to its target.

// WriteFileAtomic writes data to the file at path as a whole or not at
// all: a symlink is followed to its target, and the target is replaced by
// a temporary file written in the same folder and renamed over it, which
// keeps the mode and owner of the file it replaces (perm for a new one).
// A device, a FIFO and the kernel's links under /proc and /dev/fd
// (/dev/stdout) are written in place. The folder must exist.
func WriteFileAtomic(path string, data []byte, perm fs.FileMode) error {
	target, direct, err := followLinks(path)
	if err != nil {
		return err
	}
	if direct {
		return os.WriteFile(target, data, perm)
	}
	return replaceFile(target, data, perm)
}

// followLinks follows the symlinks of path to what it ends at. direct
// is true for what is written in place: devices, FIFOs, sockets, and the
// kernel's links under /proc and /dev/fd (/dev/stdout's target), which
// name open files, pipes and terminals rather than paths.
func followLinks(path string) (target string, direct bool, err error) {
	p := path
	for range 40 {
		if strings.HasPrefix(p, "/proc/") || strings.HasPrefix(p, "/dev/fd/") {
			return p, true, nil
		}
		fi, err := os.Lstat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return p, false, nil
		case err != nil:
			return "", false, err
		}
		switch m := fi.Mode(); {
		case m&fs.ModeSymlink != 0:
			l, err := os.Readlink(p)
			if err != nil {
				return "", false, err
			}
			if !filepath.IsAbs(l) {
				l = filepath.Join(filepath.Dir(p), l)
			}
			p = l
		case m.IsDir():
			return "", false, fmt.Errorf("%s is a directory", p)
		case m.IsRegular():
			return p, false, nil
		default:
			return p, true, nil
		}
	}
	return "", false, errors.New("too many levels of symbolic links")
}

// replaceFile writes data to path through a temporary file in the same
// folder renamed over it, keeping the mode and owner of the file it
// replaces (perm for a new one).
func replaceFile(path string, data []byte, perm fs.FileMode) error {
	mode := perm
	old, statErr := os.Stat(path)
	if statErr == nil {
		mode = old.Mode().Perm()
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after a successful rename there is nothing to remove
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return err
	}
	if statErr == nil {
		keepOwner(f, old)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// CheckWriteFile reports, before the work that makes the data, whether
// WriteFileAtomic could write path: its target (symlinks followed) is not
// a directory and, when it exists, is writable, and its folder exists and
// lets a file be made in it. Errors name what is wrong.
func CheckWriteFile(path string) error {
	target, direct, err := followLinks(path)
	if err != nil {
		return err
	}
	if _, err := os.Stat(target); err == nil {
		if err := writable(target); err != nil {
			return fmt.Errorf("%s is not writable (%w)", target, err)
		}
	}
	if direct {
		return nil
	}
	dir := filepath.Dir(target)
	fi, err := os.Stat(dir)
	switch {
	case err != nil:
		return fmt.Errorf("folder %s: %w", dir, err)
	case !fi.IsDir():
		return fmt.Errorf("%s is not a directory", dir)
	}
	if err := writable(dir); err != nil {
		return fmt.Errorf("cannot write in %s (%w)", dir, err)
	}
	return nil
}
