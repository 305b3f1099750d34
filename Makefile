# lastmile build and test entry points. `make test` is what CI runs.
GO ?= go

.PHONY: test build vet fmt-check bench-solomon chromium test-web bench-web

build:
	$(GO) build -o bin/lastmile ./cmd/lastmile

test: fmt-check vet chromium
	$(GO) test -count=1 -timeout 30m ./...

# Headless Chromium for the browser tests (web/e2e); installed when missing.
chromium:
	@bash scripts/ensure-chromium.sh

# The web apps alone: handler tests and browser tests.
test-web: chromium
	$(GO) test -count=1 ./web/...

# First paint of the console with 2,000 stops (docs/BENCHMARKS.md).
bench-web: chromium
	$(GO) test -run '^$$' -bench ConsoleFirstPaint -benchtime 5x ./web/e2e/

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

bench-solomon: build
	./bin/lastmile bench --set solomon --dir ../shared/benchmarks/solomon --time-limit 2s --threads 2
