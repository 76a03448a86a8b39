// bench/cgo.go — a small cgo program for the per-run cost of Go under a
// tool: N C.CString/C.free pairs from 4 goroutines, a Go map of strings,
// one C string leaked; most of its time under a tool is start-up and the
// exit check (run with GODEBUG=cpu.rdtscp=off so valgrind can run it).
package main

// #include <stdlib.h>
import "C"

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"unsafe"
)

func main() {
	n, _ := strconv.Atoi(os.Args[1])
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			m := map[string]int{}
			for i := 0; i < n/4; i++ {
				s := fmt.Sprint(w, ":", i)
				p := C.CString(s)
				m[s] = len(C.GoString(p))
				C.free(unsafe.Pointer(p))
			}
		}(w)
	}
	wg.Wait()
	leaked := C.CString("leaked once")
	_ = leaked
	fmt.Println("done", n)
}
