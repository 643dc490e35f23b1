package logbook

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/edge-platform/edge/admin"
)

func TestHandler(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name  string
		level slog.Level // next's level
		log   func(l *slog.Logger)
		want  *admin.LogLine // nil: nothing appended
	}{
		{
			name: "console with attrs on the record",
			log: func(l *slog.Logger) {
				l.Log(ctx, slog.LevelInfo, "console", slog.String("project", "shop"), slog.String("instance", "_default"), slog.String("text", "hello"))
			},
			want: &admin.LogLine{Project: "shop", Instance: "_default", Level: "info", Message: "hello"},
		},
		{
			name:  "console debug",
			level: slog.LevelDebug,
			log: func(l *slog.Logger) {
				l.Log(ctx, slog.LevelDebug, "console", slog.String("project", "shop"), slog.String("instance", "a"), slog.String("text", "x=1"))
			},
			want: &admin.LogLine{Project: "shop", Instance: "a", Level: "debug", Message: "x=1"},
		},
		{
			name: "console error",
			log: func(l *slog.Logger) {
				l.Log(ctx, slog.LevelError, "console", slog.String("project", "shop"), slog.String("text", "oops"))
			},
			want: &admin.LogLine{Project: "shop", Level: "error", Message: "oops"},
		},
		{
			name: "console below next's level",
			log: func(l *slog.Logger) {
				l.Log(ctx, slog.LevelDebug, "console", slog.String("project", "shop"), slog.String("text", "hidden"))
			},
		},
		{
			name: "script error with stack, project from With",
			log: func(l *slog.Logger) {
				l.With(slog.String("project", "chat"), slog.String("instance", "room-1")).
					Error("uncaught exception in handler", slog.String("error", "TypeError: x is undefined"), slog.String("stack", "at handler (main.js:3:5)"))
			},
			want: &admin.LogLine{Project: "chat", Instance: "room-1", Level: "error", Message: "uncaught exception in handler: TypeError: x is undefined\nat handler (main.js:3:5)"},
		},
		{
			name: "other error as err, project and instance from two Withs",
			log: func(l *slog.Logger) {
				l.With(slog.String("project", "chat")).With(slog.String("instance", "room-2")).
					Error("uncaught exception in handler", slog.Any("err", errors.New("out of memory")))
			},
			want: &admin.LogLine{Project: "chat", Instance: "room-2", Level: "error", Message: "uncaught exception in handler: out of memory"},
		},
		{
			name: "warning without error",
			log: func(l *slog.Logger) {
				l.With(slog.String("project", "chat")).Warn("request exceeded its CPU time limit")
			},
			want: &admin.LogLine{Project: "chat", Level: "warn", Message: "request exceeded its CPU time limit"},
		},
		{
			name: "record's project wins over With's",
			log: func(l *slog.Logger) {
				l.With(slog.String("project", "a")).Error("failed", slog.String("project", "b"))
			},
			want: &admin.LogLine{Project: "b", Level: "error", Message: "failed"},
		},
		{
			name: "With before WithGroup still names the project",
			log: func(l *slog.Logger) {
				l.With(slog.String("project", "chat")).WithGroup("req").Error("failed", slog.String("project", "inner"), slog.Any("err", errors.New("boom")))
			},
			want: &admin.LogLine{Project: "chat", Level: "error", Message: "failed: boom"},
		},
		{
			name: "project inside WithGroup is not the project",
			log: func(l *slog.Logger) {
				l.WithGroup("req").With(slog.String("project", "chat")).Error("failed", slog.String("project", "chat"))
			},
		},
		{
			name: "project inside a group attribute is not the project",
			log: func(l *slog.Logger) {
				l.Error("failed", slog.Group("target", slog.String("project", "chat")))
			},
		},
		{
			name: "group without a key is inlined",
			log: func(l *slog.Logger) {
				l.Error("failed", slog.Group("", slog.String("project", "chat")))
			},
			want: &admin.LogLine{Project: "chat", Level: "error", Message: "failed"},
		},
		{
			name: "info of a project that is not console",
			log: func(l *slog.Logger) {
				l.With(slog.String("project", "chat")).Info("activated", slog.Int64("epoch", 3))
			},
		},
		{
			name: "error of no project",
			log: func(l *slog.Logger) {
				l.Error("listening", slog.Any("err", errors.New("address in use")))
			},
		},
		{
			name: "console of no project",
			log: func(l *slog.Logger) {
				l.Info("console", slog.String("text", "hi"))
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			level := c.level
			if level == 0 {
				level = slog.LevelInfo
			}
			b := New(10)
			before := time.Now()
			c.log(slog.New(Handler(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: level}), b)))

			var got []admin.LogLine
			for _, p := range []string{"shop", "chat", "a", "b", "inner", ""} {
				got = append(got, b.Tail(p, 10)...)
			}
			if c.want == nil {
				if len(got) != 0 {
					t.Errorf("appended %+v, want nothing", got)
				}
			} else {
				if len(got) != 1 {
					t.Fatalf("appended %d lines %+v, want 1", len(got), got)
				}
				if got[0].Time.Before(before) {
					t.Errorf("line time %v, want the record's (after %v)", got[0].Time, before)
				}
				got[0].Time = time.Time{}
				if got[0] != *c.want {
					t.Errorf("appended %+v, want %+v", got[0], *c.want)
				}
			}
			// Every enabled record reaches next, appended or not.
			if c.want != nil && !strings.Contains(out.String(), "level=") {
				t.Errorf("next got nothing: %q", out.String())
			}
		})
	}
}

func TestHandlerPassesEverythingOn(t *testing.T) {
	var out bytes.Buffer
	b := New(10)
	h := Handler(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelWarn}), b)
	if h.Enabled(context.Background(), slog.LevelInfo) {
		t.Error("Enabled(Info) with next at Warn, want false")
	}
	if !h.Enabled(context.Background(), slog.LevelError) {
		t.Error("Enabled(Error) with next at Warn, want true")
	}
	l := slog.New(h).With(slog.String("node", "n1")).WithGroup("g")
	l.Error("no project here", slog.Int("n", 1))
	l.With(slog.String("project", "p")).Warn("grouped project")
	want := []string{
		`level=ERROR msg="no project here" node=n1 g.n=1`,
		`level=WARN msg="grouped project" node=n1 g.project=p`,
	}
	for _, w := range want {
		if !strings.Contains(out.String(), w) {
			t.Errorf("next's output lacks %q:\n%s", w, out.String())
		}
	}
	if got := b.Tail("p", 10); len(got) != 0 {
		t.Errorf("appended %+v for a project inside a group", got)
	}
}
