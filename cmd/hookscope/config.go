package main

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/goccy/go-yaml"

	"github.com/hookscope/hookscope/verify"
)

// config is the optional file $XDG_CONFIG_HOME/hookscope/config.yaml (else
// ~/.config/hookscope/config.yaml). Flags and environment variables win
// over it. Secrets belong here or in the environment, never on a command
// line (shell history) — and hookscope never prints them.
type config struct {
	// Addr and DB are the defaults of --addr and --db for every command,
	// after $HOOKSCOPE_ADDR and $HOOKSCOPE_DB.
	Addr string `yaml:"addr"`
	DB   string `yaml:"db"`
	// Routes maps a path prefix to a provider (like --route).
	Routes map[string]string `yaml:"routes"`
	// HMAC lists generic HMAC routes (like --hmac).
	HMAC     []string `yaml:"hmac"`
	Secrets  secrets  `yaml:"secrets"`
	Talkdesk struct {
		Region  string `yaml:"region"`
		KeysURL string `yaml:"keys_url"`
		// Keys maps key ids to PEM files (like --talkdesk-key).
		Keys map[string]string `yaml:"keys"`
	} `yaml:"talkdesk"`
	Specs          []string `yaml:"specs"`
	NoDefaultSpecs bool     `yaml:"no_default_specs"`
	// EventIDFields overrides, per provider, the payload fields that
	// carry the provider's event id for duplicate detection.
	EventIDFields map[string][]string `yaml:"event_id_fields"`
	MaxEvents     int                 `yaml:"max_events"`
	MaxAge        string              `yaml:"max_age"`
}

type secrets struct {
	TalkifAI string `yaml:"talkifai"`
	Dialpad  string `yaml:"dialpad"`
	// HMAC maps a generic HMAC route's name (see --hmac) to its secret.
	HMAC map[string]string `yaml:"hmac"`
}

// configPath is where the config file is read from.
func (e *env) configPath() string { return filepath.Join(e.configDir(), "config.yaml") }

// loadConfig reads the config file, once per run; a missing file is an
// empty config. A malformed one is an error naming the file, line and
// column.
func (e *env) loadConfig() (*config, error) {
	if !e.cfgRead {
		e.cfg, e.cfgErr = e.readConfig()
		e.cfgRead = true
	}
	return e.cfg, e.cfgErr
}

func (e *env) readConfig() (*config, error) {
	path := e.configPath()
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return &config{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	var c config
	if err := yaml.UnmarshalWithOptions(b, &c, yaml.DisallowUnknownField()); err != nil {
		// A bad value in the file is a bad value, as on the command line.
		return nil, &usageError{fmt.Sprintf("config %s:\n%s", path, yaml.FormatError(err, false, true))}
	}
	return &c, nil
}

// checkConfigValues checks the values of the config file that do not need
// the network, the disk or the specs to judge: retention, routes, generic
// HMAC routes, the Talkdesk region, key endpoint and key ids, and the
// providers of event_id_fields. Every command runs it (see newRoot),
// so a mistake is a usage error whatever the command, as the README says,
// not only in the commands that use the value.
func (e *env) checkConfigValues(cfg *config) error {
	if cfg.MaxEvents < 0 {
		return e.configUsage("max_events", "must be 0 (unlimited) or more, got %d", cfg.MaxEvents)
	}
	if cfg.MaxAge != "" {
		if _, err := parseAge(cfg.MaxAge); err != nil {
			return e.configUsage("max_age", "%v", err)
		}
	}
	for _, prefix := range slices.Sorted(maps.Keys(cfg.Routes)) {
		if _, err := verify.ParseRoute(prefix + "=" + cfg.Routes[prefix]); err != nil {
			return e.fieldUsage(err, true)
		}
	}
	for _, h := range cfg.HMAC {
		if _, err := verify.ParseHMAC(h); err != nil {
			return e.fieldUsage(err, true)
		}
	}
	if r := cfg.Talkdesk.Region; r != "" {
		if _, err := verify.TalkdeskGateway(r); err != nil {
			return e.configUsage("talkdesk.region", "%q is not a Talkdesk region; accepted values are %s", r, verify.TalkdeskRegions)
		}
	}
	if u := cfg.Talkdesk.KeysURL; u != "" {
		if err := verify.CheckKeysURL(u); err != nil {
			return e.fieldUsage(err, true)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(cfg.Talkdesk.Keys)) {
		if err := verify.CheckKeyID(id); err != nil {
			return e.configUsage("talkdesk.keys", "%q: %v", id, err)
		}
	}
	if err := verify.CheckEventIDFields(cfg.EventIDFields); err != nil {
		return e.fieldUsage(err, true)
	}
	return nil
}

// configUsage is a usage error about config file key key: it names the file
// and the key, not a flag the user never passed.
func (e *env) configUsage(key, format string, args ...any) error {
	return usagef("config %s: %s: %s", e.configPath(), key, fmt.Sprintf(format, args...))
}

// verifyFields names, per verify.Config field, the flag and the config file
// key that set it.
var verifyFields = map[string]struct{ flag, key string }{
	"Routes":          {"--route", "routes"},
	"HMAC":            {"--hmac", "hmac"},
	"TalkdeskRegion":  {"--talkdesk-region", "talkdesk.region"},
	"TalkdeskKeys":    {"--talkdesk-key", "talkdesk.keys"},
	"TalkdeskKeysURL": {"--talkdesk-keys-url", "talkdesk.keys_url"},
	"EventIDFields":   {"", "event_id_fields"},
}

// fieldUsage turns verify's error about a configuration value into a usage
// error that names where the value came from: its flag, or (fromConfig, or
// a field no flag sets) its config file key.
func (e *env) fieldUsage(err error, fromConfig bool) error {
	var fe *verify.FieldError
	if !errors.As(err, &fe) {
		return usagef("%v", err)
	}
	names := verifyFields[fe.Field]
	if fromConfig || names.flag == "" {
		return e.configUsage(names.key, "%v", fe.Err)
	}
	return usagef("%s %v", names.flag, fe.Err)
}
