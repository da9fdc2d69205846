//go:build linux || darwin || freebsd

package text

import (
	"syscall"
	"unsafe"
)

// winsize is struct winsize of the TIOCGWINSZ ioctl (tty_ioctl(4)).
type winsize struct{ rows, cols, xpixel, ypixel uint16 }

// termSize returns the columns of the terminal fd is open on; ok is false
// when fd is not a terminal.
func termSize(fd uintptr) (cols int, ok bool) {
	var ws winsize
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, uintptr(syscall.TIOCGWINSZ), uintptr(unsafe.Pointer(&ws))); errno != 0 {
		return 0, false
	}
	return int(ws.cols), true
}

// foreground reports whether this process's group is the foreground
// process group of the terminal fd is open on (TIOCGPGRP, tcgetpgrp(3)).
func foreground(fd uintptr) bool {
	var pgrp int32
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, uintptr(syscall.TIOCGPGRP), uintptr(unsafe.Pointer(&pgrp))); errno != 0 {
		return false
	}
	return int(pgrp) == syscall.Getpgrp()
}
