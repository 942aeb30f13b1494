package cmd

import (
	"io"
	"os"
	"syscall"
)

// stdinClosed tells whether r is a standard input that was closed when
// sessctl started (<&-). Go's runtime opens /dev/null read-write on a
// closed descriptor 0, where a shell's </dev/null opens it read-only.
func stdinClosed(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok || f.Fd() != 0 {
		return false
	}
	var st, null syscall.Stat_t
	if syscall.Fstat(0, &st) != nil || syscall.Stat(os.DevNull, &null) != nil {
		return false
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFCHR || st.Rdev != null.Rdev {
		return false
	}
	flags, _, errno := syscall.Syscall(syscall.SYS_FCNTL, 0, syscall.F_GETFL, 0)
	return errno == 0 && flags&syscall.O_ACCMODE == syscall.O_RDWR
}
