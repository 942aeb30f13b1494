package cookie

import (
	"encoding/base64"
	"errors"
)

func errorsAs(err error, target any) bool { return errors.As(err, target) }
func errorsIs(err, target error) bool     { return errors.Is(err, target) }

func stdB64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
