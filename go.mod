module github.com/lastmile-dev/lastmile

go 1.26
