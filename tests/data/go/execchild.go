package main

// Execs a child program with the tool removed from its environment: the
// child must run and exit normally (nothing of the tool's Go exit handling
// may survive exec).
import (
	"fmt"
	"os"
	"os/exec"
	"strings"
)

/*
#include <stdlib.h>
*/
import "C"

func main() {
	env := []string{}
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "LD_PRELOAD=") {
			env = append(env, e)
		}
	}
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Env = env
	cmd.Stdout = os.Stdout
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		fmt.Println("exec failed:", err)
		code = 100
	}
	fmt.Println("child exit", code)
	C.free(C.malloc(16))
}
