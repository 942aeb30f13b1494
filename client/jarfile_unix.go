//go:build unix

package client

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// writable tells whether this process may write path (for a folder: make
// files in it), as access(2) says.
func writable(path string) error {
	const wOK, xOK = 0x2, 0x1
	mode := uint32(wOK)
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		mode |= xOK
	}
	return syscall.Access(path, mode)
}

// keepOwner gives f the owner of the file it replaces, where this process
// may (root saving a user's jar); otherwise the new file is this
// process's, as with any rename.
func keepOwner(f *os.File, old fs.FileInfo) {
	if st, ok := old.Sys().(*syscall.Stat_t); ok {
		f.Chown(int(st.Uid), int(st.Gid))
	}
}

// giveToDirOwner gives the file at path to the owner of its folder, where
// this process may: a lock file root made in a user's folder (sudo
// sessctl visit) must not lock the user out of their own jar.
func giveToDirOwner(path string) {
	fi, err := os.Stat(filepath.Dir(path))
	if err != nil {
		return
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Geteuid() {
		os.Chown(path, int(st.Uid), int(st.Gid))
	}
}
