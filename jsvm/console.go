package jsvm

import (
	"context"
	"log/slog"
)

// consoleOps writes console output to the instance's logger, tagged with the
// project and instance so output from many instances can be told apart.
func (in *Instance) consoleOps() map[string]any {
	return map[string]any{
		"print": func(level, text string) {
			l := slog.LevelInfo
			switch level {
			case "debug":
				l = slog.LevelDebug
			case "warn":
				l = slog.LevelWarn
			case "error":
				l = slog.LevelError
			}
			in.cfg.Logger.Log(context.Background(), l, "console",
				slog.String("project", in.cfg.Project), slog.String("instance", in.cfg.Instance), slog.String("text", text))
		},
	}
}
