package main

// The blog post's example (../shared/seeds/002), C.free dropped; "sig"
// leaks from a finished function, then waits for SIGTERM; "crash" does the
// same and then crashes (GOTRACEBACK=crash: SIGABRT).

// #include <stdio.h>
// #include <stdlib.h>
//
// static void myprint(char* s) {
//   printf("%s\n", s);
// }
import "C"

import (
	"fmt"
	"os"
	"time"
)

//go:noinline
func lose() {
	cs := C.CString("lost before the signal")
	_ = cs
}

func main() {
	if len(os.Args) > 1 {
		lose()
		fmt.Println("ready")
		os.Stdout.Sync()
		if os.Args[1] == "crash" {
			var m map[string]int
			m["x"] = 1
		}
		time.Sleep(60 * time.Second)
		return
	}
	cs := C.CString("Hello from stdio")
	C.myprint(cs)
}
