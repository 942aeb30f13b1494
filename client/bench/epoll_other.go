//go:build !linux

package bench

// epollAvailable says whether this system has the epoll engine.
const epollAvailable = false

func newEpollLoader(int) loader { return goroutineLoader{} } // Validate refuses it first
