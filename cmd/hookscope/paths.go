package main

import (
	"os"
	"path/filepath"
)

// defaultDB is --db's default: $HOOKSCOPE_DB, else the config file's db,
// else $XDG_DATA_HOME/hookscope/hookscope.db, else
// ~/.local/share/hookscope/hookscope.db. A malformed config file is passed
// over here (flag defaults cannot fail); newRoot's PersistentPreRunE
// reports it before any command runs.
func (e *env) defaultDB() string {
	if p := e.getenv("HOOKSCOPE_DB"); p != "" {
		return p
	}
	if cfg, err := e.loadConfig(); err == nil && cfg.DB != "" {
		return cfg.DB
	}
	if d := e.getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "hookscope", "hookscope.db")
	}
	return filepath.Join(e.home(), ".local", "share", "hookscope", "hookscope.db")
}

// defaultAddr is --addr's default, and where `send` finds the listener:
// $HOOKSCOPE_ADDR, else the config file's addr, else 127.0.0.1:8080.
func (e *env) defaultAddr() string {
	if a := e.getenv("HOOKSCOPE_ADDR"); a != "" {
		return a
	}
	if cfg, err := e.loadConfig(); err == nil && cfg.Addr != "" {
		return cfg.Addr
	}
	return "127.0.0.1:8080"
}

// configDir is $XDG_CONFIG_HOME/hookscope, else ~/.config/hookscope.
func (e *env) configDir() string {
	if d := e.getenv("XDG_CONFIG_HOME"); d != "" {
		return filepath.Join(d, "hookscope")
	}
	return filepath.Join(e.home(), ".config", "hookscope")
}

func (e *env) home() string {
	if h := e.getenv("HOME"); h != "" {
		return h
	}
	h, _ := os.UserHomeDir()
	return h
}
