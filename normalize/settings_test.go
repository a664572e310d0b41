package normalize

import "testing"

// TestSettingsFingerprint checks that the fingerprint a run records
// changes with everything that decides what normalisation makes of the
// same observations (the rules' version, the alias table, the discrepancy
// bound as configured) and with nothing else.
func TestSettingsFingerprint(t *testing.T) {
	base := settings(t, map[string]string{"llama-3.2-1b": "meta/llama-3.2-1b-instruct"}, 0)
	differ := map[string]string{
		"no aliases":          settings(t, nil, 0).Fingerprint(),
		"another alias":       settings(t, map[string]string{"llama-3.2-3b": "meta/llama-3.2-1b-instruct"}, 0).Fingerprint(),
		"another alias value": settings(t, map[string]string{"llama-3.2-1b": "meta/llama-3.2-1b"}, 0).Fingerprint(),
		"one source's alias":  settings(t, map[string]string{"openrouter:llama-3.2-1b": "meta/llama-3.2-1b-instruct"}, 0).Fingerprint(),
		"another bound":       settings(t, map[string]string{"llama-3.2-1b": "meta/llama-3.2-1b-instruct"}, 1250).Fingerprint(),
		"the bound off":       settings(t, map[string]string{"llama-3.2-1b": "meta/llama-3.2-1b-instruct"}, -1).Fingerprint(),
		"other rules":         base.fingerprint(Rules + 1),
	}
	seen := map[string]string{base.Fingerprint(): "base"}
	for name, fp := range differ {
		t.Run(name, func(t *testing.T) {
			if len(fp) != 16 {
				t.Errorf("fingerprint %q: want 16 hex digits", fp)
			}
			if other, dup := seen[fp]; dup {
				t.Errorf("fingerprint %s, as for %s", fp, other)
			}
		})
		seen[fp] = name
	}
	t.Run("same settings", func(t *testing.T) {
		same := settings(t, map[string]string{" LLAMA-3.2-1B ": "meta/llama-3.2-1b-instruct"}, 0)
		if same.Fingerprint() != base.Fingerprint() {
			t.Errorf("alias keys are case-insensitive: %s, want %s", same.Fingerprint(), base.Fingerprint())
		}
		if (Settings{}).Fingerprint() != settings(t, nil, 0).Fingerprint() {
			t.Errorf("the zero Settings are the defaults")
		}
	})
}

// TestSettingsDiscrepancy checks the bound normalisation applies.
func TestSettingsDiscrepancy(t *testing.T) {
	for _, tt := range []struct {
		name      string
		set, want Percent
	}{
		{"default", 0, DefaultDiscrepancy},
		{"configured", 1250, 1250},
		{"off", -1, -1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := settings(t, nil, tt.set).Discrepancy(); got != tt.want {
				t.Errorf("Discrepancy() = %s, want %s", got, tt.want)
			}
		})
	}
}

// TestSettingsAliases checks that the settings' resolver applies the alias
// table, and that an alias to no canonical id is refused.
func TestSettingsAliases(t *testing.T) {
	s := settings(t, map[string]string{"openrouter:x-ai/grok-4.1-fast": "xai/grok-4.1"}, 0)
	if got, err := s.Resolver().Resolve("openrouter", "x-ai/grok-4.1-fast"); err != nil || got.ID != "xai/grok-4.1" {
		t.Errorf("Resolve = %+v, %v; want the alias", got, err)
	}
	if got, err := (Settings{}).Resolver().Resolve("openrouter", "x-ai/grok-4.1-fast"); err != nil || got.ID != "xai/grok-4.1-fast" {
		t.Errorf("zero Settings: Resolve = %+v, %v; want the rules alone", got, err)
	}
	if _, err := NewSettings(map[string]string{"x": "Not An Id"}, 0); err == nil {
		t.Error("an alias to no canonical id accepted")
	}
}
