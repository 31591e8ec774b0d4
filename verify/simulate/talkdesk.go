package simulate

import "time"

// talkdeskShape adds the fields of Talkdesk's documented Events API
// payloads (../shared/reference/talkdesk-events-examples.json): `type`
// besides the seed document's `event_type`, created_at, api_version,
// app_id, app_version_id, event data, and _links.root.href. The sample ids
// are the documented examples' own, so one installation reads the same
// across events. _links.root.href points at the local listener: a partner
// app that fetches keys from there gets hookscope's dev keys.
func talkdeskShape(obj map[string]any, eventType, origin string, now time.Time) map[string]any {
	if eventType != "" {
		obj["type"] = eventType
		if _, ok := obj["event_type"]; ok {
			obj["event_type"] = eventType
		}
	}
	obj["created_at"] = now.Format(time.RFC3339)
	obj["api_version"] = "1"
	obj["app_id"] = "f918e2623486417791f3b5a18ca746ce"
	obj["app_version_id"] = "970d6643b6604a9d8ec77d470a3903cf"
	data, _ := obj["data"].(map[string]any)
	if data == nil {
		data = map[string]any{}
	}
	for k, v := range talkdeskSampleData(eventType, now) {
		if _, set := data[k]; !set {
			data[k] = v
		}
	}
	obj["data"] = data
	obj["_links"] = map[string]any{"root": map[string]any{"href": origin}}
	return obj
}

// talkdeskSampleData is the `data` of Talkdesk's documented example for
// each event type; events without a documented example get the ids every
// example carries.
func talkdeskSampleData(eventType string, now time.Time) map[string]any {
	d := map[string]any{
		"installation_id": "9514148a170c4d4aaa344a540cec08c5",
		"account_id":      "052c3763ee0745c68a1f65f25b0bf273",
	}
	switch eventType {
	case "app.installed":
		d["account_name"] = "starship"
		d["client_id"] = "23de1fee7658490f8021465553402546"
		d["client_secret"] = "CLIENT_SECRET"
		d["private_key"] = "PRIVATE_KEY"
		d["public_key"] = "PUBLIC_KEY"
		d["key_id"] = "78a574781e434d0b9991edd0994fbeed"
		d["key_algorithm"] = "ES256"
	case "app.updated":
		d["users"] = map[string]any{"adding": []any{"5f0c1e2d3b4a59687766554433221100"}, "removing": []any{}}
		d["subscription"] = map[string]any{"adding": map[string]any{"name": "standard", "licenses": "10"}}
	case "app.uninstalled":
		d["reason"] = map[string]any{"type": "other", "message": "no longer needed"}
	case "app.trial_started", "app.trial_extended":
		d["expires_at"] = now.Add(30 * 24 * time.Hour).Format(time.RFC3339)
	case "app.trial_ended":
		d["ended_at"] = now.Format(time.RFC3339)
		d["ended_reason"] = "expired"
		d["ended_by"] = "system"
	case "user.logout":
		d["user_id"] = "6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d"
		d["user_email"] = "agent@example.com"
	}
	return d
}
