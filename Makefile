# Conveniences over ./dev (which does the work and installs what it needs).
.PHONY: demo test bench package shots
demo:
	./dev demo
test:
	./dev test
bench:
	./dev bench
package:
	./dev package
shots:
	./dev shots
