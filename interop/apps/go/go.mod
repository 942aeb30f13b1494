module github.com/sessctl/sessctl/interop/apps/go

go 1.26.8

require (
	github.com/alexedwards/scs/v2 v2.9.0
	github.com/gorilla/securecookie v1.1.2
	github.com/gorilla/sessions v1.4.0
)
