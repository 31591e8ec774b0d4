package verify_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/verify"
)

// A Talkdesk Events API delivery signed with a key the user configured
// locally, checked as received and with one byte changed.
func ExampleVerifier_Check() {
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pub, _ := verify.EncodePublicKey(&priv.PublicKey)
	v, err := verify.New(verify.Config{TalkdeskKeys: []verify.LocalKey{{ID: "k1", PEM: []byte(pub)}}})
	if err != nil {
		panic(err)
	}
	body := []byte(`{"id":"e1","type":"app.installed","data":{}}`)
	sig, _ := verify.SignTalkdesk(priv, body)
	r := verify.Request{Method: "POST", Path: "/hooks", Body: body, Header: store.Header{
		{Name: verify.HeaderTalkdeskSignature, Value: sig},
		{Name: verify.HeaderTalkdeskSignatureID, Value: "k1"},
	}}
	res := v.Check(context.Background(), r)
	fmt.Println(res.Provider, res.EventType, res.Signature.Status, res.Signature.Algorithm)

	r.Body = []byte(`{"id":"e1","type":"app.installed","data":{ }}`)
	res = v.Check(context.Background(), r)
	fmt.Println(res.Signature.Status+":", res.Signature.Reason)
	// Output:
	// talkdesk-events app.installed valid ecdsa-p256-sha512
	// invalid: signature does not match the body: the body was modified or signed with another key
}
