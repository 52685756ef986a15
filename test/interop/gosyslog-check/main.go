// gosyslog-check: strict RFC 5424 and RFC 6587 octet-counting verdicts from influxdata/go-syslog v2
// (Debian 12 golang-github-influxdata-go-syslog-dev), for the segura-siem-relay interop suite.
//
// stdin:  {"messages": ["<base64>", ...], "stream": "<base64>"}   (stream optional)
// stdout: {"messages": [view, ...], "frames": [view, ...] | null}
//
// messages: each message parsed alone by the strict rfc5424 machine (no best effort).
// frames:   the exact byte stream scanned by the octetcounting parser; best effort is on so that a
//           message-level error does not stop the scan, and only framing errors end it. A view whose
//           "frameError" is true is a framing (RFC 6587) error, not an RFC 5424 one.
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"

	syslog "github.com/influxdata/go-syslog/v2"
	"github.com/influxdata/go-syslog/v2/octetcounting"
	"github.com/influxdata/go-syslog/v2/rfc5424"
)

type input struct {
	Messages []string `json:"messages"`
	Stream   *string  `json:"stream"`
}

type view struct {
	OK         bool                          `json:"ok"`
	Error      string                        `json:"error,omitempty"`
	FrameError bool                          `json:"frameError,omitempty"`
	Pri        *uint8                        `json:"pri,omitempty"`
	Facility   *uint8                        `json:"facility,omitempty"`
	Severity   *uint8                        `json:"severity,omitempty"`
	Version    uint16                        `json:"version,omitempty"`
	Timestamp  *string                       `json:"timestamp,omitempty"`
	Hostname   *string                       `json:"hostname,omitempty"`
	AppName    *string                       `json:"appName,omitempty"`
	ProcID     *string                       `json:"procid,omitempty"`
	MsgID      *string                       `json:"msgid,omitempty"`
	Msg        *string                       `json:"msg,omitempty"`
	SD         *map[string]map[string]string `json:"sd,omitempty"`
	Parsed     bool                          `json:"parsed"`
}

type output struct {
	Messages []view `json:"messages"`
	Frames   []view `json:"frames"`
}

// The octetcounting parser's own framing errors ("found ILLEGAL(u), expecting a MSGLEN", ...).
var frameErr = regexp.MustCompile(`^found .*, expecting a (MSGLEN|WS|SYSLOGMSG)`)

// RFC 5424 allows at most 6 fraction digits: print exactly 6 so no precision is hidden.
const tsLayout = "2006-01-02T15:04:05.000000Z07:00"

func toView(m syslog.Message, err error) view {
	v := view{OK: err == nil}
	if err != nil {
		v.Error = err.Error()
		v.FrameError = frameErr.MatchString(v.Error)
	}
	if m == nil {
		return v
	}
	v.Parsed = true
	v.Pri = m.Priority()
	v.Facility = m.Facility()
	v.Severity = m.Severity()
	v.Version = m.Version()
	if t := m.Timestamp(); t != nil {
		s := t.Format(tsLayout)
		v.Timestamp = &s
	}
	v.Hostname = m.Hostname()
	v.AppName = m.Appname()
	v.ProcID = m.ProcID()
	v.MsgID = m.MsgID()
	v.Msg = m.Message()
	v.SD = m.StructuredData()
	return v
}

func main() {
	data, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "read stdin:", err)
		os.Exit(2)
	}
	var in input
	if err := json.Unmarshal(data, &in); err != nil {
		fmt.Fprintln(os.Stderr, "bad input JSON:", err)
		os.Exit(2)
	}
	out := output{Messages: make([]view, 0, len(in.Messages))}
	for i, b := range in.Messages {
		raw, err := base64.StdEncoding.DecodeString(b)
		if err != nil {
			fmt.Fprintf(os.Stderr, "message %d: bad base64: %v\n", i, err)
			os.Exit(2)
		}
		m, perr := rfc5424.NewParser().Parse(raw)
		out.Messages = append(out.Messages, toView(m, perr))
	}
	if in.Stream != nil {
		stream, err := base64.StdEncoding.DecodeString(*in.Stream)
		if err != nil {
			fmt.Fprintln(os.Stderr, "stream: bad base64:", err)
			os.Exit(2)
		}
		out.Frames = []view{}
		octetcounting.NewParser(syslog.WithBestEffort(), syslog.WithListener(func(r *syslog.Result) {
			out.Frames = append(out.Frames, toView(r.Message, r.Error))
		})).Parse(bytes.NewReader(stream))
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, "write:", err)
		os.Exit(2)
	}
}
