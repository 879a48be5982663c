module github.com/crud-conformance/implementations/go-nethttp

go 1.26
