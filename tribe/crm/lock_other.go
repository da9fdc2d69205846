//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd)

package crm

import "os"

// tryLock does nothing here: this system has no flock, so FileStore.Lock
// only serialises callers within one process (see [FileStore.Lock]).
func tryLock(*os.File) (busy bool, err error) { return false, nil }

// unlockFile does nothing here.
func unlockFile(*os.File) error { return nil }
