# lastmile build and test entry points. `make test` is what CI runs.
GO ?= go

.PHONY: test build vet fmt-check bench-solomon

build:
	$(GO) build -o bin/lastmile ./cmd/lastmile

test: fmt-check vet
	$(GO) test -count=1 -timeout 30m ./...

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

bench-solomon: build
	./bin/lastmile bench --set solomon --dir ../shared/benchmarks/solomon --time-limit 2s --threads 2
