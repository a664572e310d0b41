package scrapers

import (
	"encoding/json"

	"github.com/llmref/llmref/internal/jsonread"
)

// fastOREndpoints reads an endpoints response into what
// json.Unmarshal(body, &doc) gives, in one pass over the body and keeping
// only the fields orEndpointsDoc holds; ok is false when it leaves the
// body to encoding/json (see jsonread.Reader). FuzzFastOREndpoints holds the
// two equal.
func fastOREndpoints(body []byte) (doc orEndpointsDoc, ok bool) {
	r := jsonread.New(body)
	top := jsonread.Fields{Names: []string{"data"}}
	r.Object(func(key []byte) {
		if top.Match(r, key) != 0 {
			r.Skip()
			return
		}
		if r.Null() {
			doc.Data = nil
			return
		}
		doc.Data = readOREndpointsData(r)
	})
	if !r.End() {
		return orEndpointsDoc{}, false
	}
	return doc, true
}

func readOREndpointsData(r *jsonread.Reader) *orEndpointsData {
	d := &orEndpointsData{}
	f := jsonread.Fields{Names: []string{"id", "name", "endpoints"}}
	r.Object(func(key []byte) {
		switch f.Match(r, key) {
		case 0:
			r.StringField(&d.ID)
		case 1:
			r.StringField(&d.Name)
		case 2:
			if r.Null() {
				d.Endpoints = nil
				return
			}
			eps := make([]orEndpoint, 0, 8)
			r.Array(func() {
				if r.Peek() != '{' { // a null element, or another type: encoding/json's to decide
					r.Fail()
					return
				}
				eps = append(eps, readOREndpoint(r))
			})
			d.Endpoints = &eps
		default:
			r.Skip()
		}
	})
	return d
}

func readOREndpoint(r *jsonread.Reader) orEndpoint {
	var e orEndpoint
	f := jsonread.Fields{Names: []string{"name", "provider_name", "tag", "context_length", "max_completion_tokens", "quantization", "status", "pricing"}}
	r.Object(func(key []byte) {
		switch f.Match(r, key) {
		case 0:
			r.StringField(&e.Name)
		case 1:
			r.StringField(&e.ProviderName)
		case 2:
			r.StringField(&e.Tag)
		case 3:
			e.ContextLength = readInt(r)
		case 4:
			e.MaxCompletionTokens = readInt(r)
		case 5:
			e.Quantization = nil
			if !r.Null() {
				s := r.String()
				e.Quantization = &s
			}
		case 6:
			e.Status = nil
			if !r.Null() {
				if c := r.Peek(); c != '-' && (c < '0' || c > '9') {
					r.Fail()
					return
				}
				n := json.Number(r.Number())
				e.Status = &n
			}
		case 7:
			e.Pricing = readRawMap(r)
		default:
			r.Skip()
		}
	})
	return e
}

// readInt reads an integer into a new int64, or null (nil), as
// encoding/json does into an *int64.
func readInt(r *jsonread.Reader) *int64 {
	if r.Null() {
		return nil
	}
	var n int64
	jsonread.IntField(r, &n)
	return &n
}

// rawMap reads an object of raw values (a nil map for null); each value
// is the body's own bytes, as encoding/json's RawMessage holds them.
func readRawMap(r *jsonread.Reader) map[string]json.RawMessage {
	if r.Null() {
		return nil
	}
	m := map[string]json.RawMessage{}
	r.Object(func(key []byte) {
		m[string(key)] = json.RawMessage(r.Value())
	})
	return m
}
