package logbook

import (
	"context"
	"log/slog"

	"github.com/edge-platform/edge/admin"
)

// Attribute keys and the message by which the node's logs mark what a
// project's code printed or threw (jsvm/console.go, actors/instance.go).
const (
	keyProject  = "project"
	keyInstance = "instance"
	keyText     = "text"
	keyError    = "error" // a script error's message
	keyErr      = "err"   // any other error
	keyStack    = "stack"
	msgConsole  = "console"
)

// Handler returns a slog.Handler that passes every record to next and also
// appends to b the records that belong to a project's code:
//
//   - console output: a record with message "console" and a "text"
//     attribute becomes a line with that text, at the record's level;
//   - errors: any other record at level Warn or above becomes a line
//     "message: error" (the "error" or "err" attribute), followed by a
//     newline and the "stack" attribute if there is one.
//
// A record belongs to a project if it has a top-level "project" attribute,
// from the logger (Logger.With) or the record; "instance" is found the
// same way. Attributes inside a group (Logger.WithGroup, slog.Group) are
// not top-level. Records of no project are only passed on.
//
// Enabled follows next, so lines below next's level reach neither.
func Handler(next slog.Handler, b *Book) slog.Handler {
	return &handler{next: next, book: b}
}

type handler struct {
	next slog.Handler
	book *Book
	// project and instance come from WithAttrs before any WithGroup.
	project, instance string
	// grouped: a WithGroup was applied, so later attributes (WithAttrs and
	// the record's) are inside a group.
	grouped bool
}

func (h *handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	if line, ok := h.line(r); ok {
		h.book.Append(line)
	}
	return h.next.Handle(ctx, r)
}

func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	c.next = h.next.WithAttrs(attrs)
	if !h.grouped {
		var f fields
		for _, a := range attrs {
			f.add(a)
		}
		c.project = pick(f.project, h.project)
		c.instance = pick(f.instance, h.instance)
	}
	return &c
}

func (h *handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h // slog: a group without a name is no group
	}
	c := *h
	c.next = h.next.WithGroup(name)
	c.grouped = true
	return &c
}

// line is the book's line for r, if r belongs to a project's code.
func (h *handler) line(r slog.Record) (admin.LogLine, bool) {
	var f fields
	r.Attrs(func(a slog.Attr) bool {
		f.add(a)
		return true
	})
	project, instance := h.project, h.instance
	if !h.grouped {
		project, instance = pick(f.project, project), pick(f.instance, instance)
	}
	if project == "" {
		return admin.LogLine{}, false
	}
	line := admin.LogLine{Time: r.Time, Project: project, Instance: instance, Level: levelName(r.Level)}
	switch {
	case r.Message == msgConsole && f.hasText:
		line.Message = f.text
	case r.Level >= slog.LevelWarn:
		line.Message = r.Message
		if f.err != "" {
			line.Message += ": " + f.err
		}
		if f.stack != "" {
			line.Message += "\n" + f.stack
		}
	default:
		return admin.LogLine{}, false
	}
	return line, true
}

// fields are the attributes the handler looks at, from one list of
// attributes (the last of each key wins, as in a JSON log).
type fields struct {
	project, instance string
	text, err, stack  string
	hasText           bool
}

func (f *fields) add(a slog.Attr) {
	v := a.Value.Resolve()
	if v.Kind() == slog.KindGroup {
		if a.Key == "" { // slog inlines the attributes of a group without a key
			for _, g := range v.Group() {
				f.add(g)
			}
		}
		return
	}
	switch a.Key {
	case keyProject:
		f.project = v.String()
	case keyInstance:
		f.instance = v.String()
	case keyText:
		f.text, f.hasText = v.String(), true
	case keyError, keyErr:
		f.err = v.String()
	case keyStack:
		f.stack = v.String()
	}
}

// pick returns s, or else if s is empty.
func pick(s, orElse string) string {
	if s != "" {
		return s
	}
	return orElse
}

// levelName is LogLine.Level for l.
func levelName(l slog.Level) string {
	switch {
	case l < slog.LevelInfo:
		return "debug"
	case l < slog.LevelWarn:
		return "info"
	case l < slog.LevelError:
		return "warn"
	}
	return "error"
}

// Interface guard.
var _ slog.Handler = (*handler)(nil)
