package main

/*
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

typedef struct res { char name[40]; } res;
static res *res_open(void) { res *r = malloc(sizeof *r); memset(r, 0, sizeof *r); return r; }

// The program's own mapping holds a block: it stays a root, although the
// Go runtime's mappings are not (gomem.c tells them apart by caller).
static void **shelf;
static void *volatile dropped;
static void shelve(void) {
	if (!shelf)
		shelf = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	shelf[0] = malloc(23);
	shelf = (void **)((char *)shelf + 8);
	dropped = malloc(19);
	dropped = 0;
}

extern void goVisit(int i);
static void visit(int n) { for (int i = 0; i < n; i++) goVisit(i); }
*/
import "C"

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"
)

var kept []*C.char
var keptMu sync.Mutex

func keep(p *C.char) {
	keptMu.Lock()
	kept = append(kept, p)
	keptMu.Unlock()
}

//export goVisit
func goVisit(i C.int) {
	s := C.CString(fmt.Sprintf("cb%04d", int(i))) // 7 bytes, lost
	_ = s
	if i%2 == 0 {
		keep(C.CString("callback-kept")) // 14 bytes, reachable
	}
}

type wrapper struct {
	r *C.res
	n int
}

var live []*wrapper

func main() {
	mode := "cstring"
	if len(os.Args) > 1 {
		mode = os.Args[1]
	}
	switch mode {
	case "cstring": // the post's example, free dropped
		cs := C.CString("Hello from stdio") // 17 bytes, lost
		_ = cs
	case "loop":
		for i := 0; i < 50; i++ {
			p := C.CString("loop-lost") // 10 bytes x50, lost
			_ = p
			b := C.CBytes([]byte("loop-bytes-kept!")) // 16 bytes x50, reachable
			keep((*C.char)(b))
			m := C.malloc(24) // 24 bytes x50, lost
			_ = m
		}
	case "goroutines":
		var wg sync.WaitGroup
		for i := 0; i < 100; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				a := C.CString("goroutine-lost-a") // 17 x100
				b := C.CBytes(make([]byte, 33))    // 33 x100
				c := C.malloc(41)                  // 41 x100
				d := C.CString(fmt.Sprint(i, "-goroutine-lost-dddddddd")) // variable
				_, _, _, _ = a, b, c, d
				keep(C.CString("goroutine-kept")) // 15 x100 reachable
			}(i)
		}
		wg.Wait()
		time.Sleep(20 * time.Millisecond)
	case "cmmap":
		C.shelve() // 23 bytes reachable (in the program's own mapping), 19 lost
		done := make(chan bool)
		go func() { C.shelve(); done <- true }() // the same from another goroutine
		<-done
	case "callback":
		C.visit(40) // 40 lost (7 bytes), 20 kept (14 bytes)
	case "structs":
		for i := 0; i < 1000; i++ {
			w := &wrapper{r: C.res_open(), n: i} // 40 bytes x1000
			if i%100 == 0 {
				live = append(live, w) // 10 reachable
			}
		}
		runtime.GC()
		runtime.GC()
	}
	runtime.GC()
	fmt.Println("done", mode)
}
