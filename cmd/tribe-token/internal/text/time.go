package text

import (
	"fmt"
	"time"
)

// RFC3339 formats t in UTC, or "" for the zero time.
func RFC3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// DescribeTime renders t with how far it is from now, e.g.
// "2025-01-02T15:04:05Z (in 59m)" or "… (expired 3m ago)".
func DescribeTime(t, now time.Time, past string) string {
	if t.IsZero() {
		return ""
	}
	s := t.UTC().Format(time.RFC3339)
	d := t.Sub(now)
	switch {
	case d >= 0:
		return s + " (in " + RoughDuration(d) + ")"
	case past != "":
		return s + " (" + past + " " + RoughDuration(-d) + " ago)"
	default:
		return s + " (" + RoughDuration(-d) + " ago)"
	}
}

// RoughDuration renders d for people: to the second below a minute, to the
// minute below a day ("1h", "59m", "2h5m"), else in days and hours.
func RoughDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return d.Round(time.Second).String()
	case d < 24*time.Hour:
		d = d.Round(time.Minute)
		h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
		switch {
		case h == 0:
			return fmt.Sprintf("%dm", m)
		case m == 0:
			return fmt.Sprintf("%dh", h)
		}
		return fmt.Sprintf("%dh%dm", h, m)
	default:
		days, hours := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour)
		if hours == 0 {
			return fmt.Sprintf("%dd", days)
		}
		return fmt.Sprintf("%dd%dh", days, hours)
	}
}

// Wait renders a wait: "10s", "5m", or "250ms" below a second.
func Wait(d time.Duration) string {
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return RoughDuration(d)
}
