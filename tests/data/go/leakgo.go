package main

/*
#include <stdlib.h>
#include <string.h>
static void *mk(size_t n) { void *p = malloc(n); memset(p, 1, n); return p; }
static void lose(size_t n) { void *volatile p = mk(n); p = 0; }
*/
import "C"

import (
	"fmt"
	"os"
	"runtime"
	"time"
	"unsafe"
)

type holder struct{ p unsafe.Pointer }

var global unsafe.Pointer
var heapObj *holder
var slice []uintptr

func onStack(done chan bool, ready chan bool) {
	p := C.mk(444)
	ready <- true
	<-done
	runtime.KeepAlive(p)
}

func main() {
	global = C.mk(111)
	heapObj = &holder{C.mk(222)}
	slice = make([]uintptr, 4)
	slice[2] = uintptr(C.mk(333))
	done, ready := make(chan bool), make(chan bool)
	go onStack(done, ready)
	<-ready
	C.lose(555)
	time.Sleep(10 * time.Millisecond)
	fmt.Println("go: done")
	if len(os.Args) > 1 && os.Args[1] == "osexit" {
		os.Exit(3)
	}
	if len(os.Args) > 1 && os.Args[1] == "panic" {
		panic("boom")
	}
}
