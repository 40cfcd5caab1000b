// The Go driver (Debian's go.mongodb.org/mongo-driver 1.8, built with -tags cse, libmongocrypt
// through cgo) with automatic encryption, against a fake mongod and our mongocryptd.
// Usage: go_auto_encryption FAKE_URI spawn|bypass CRYPTD_PORT DIR
// The protocol shared by the drivers' clients (driver_auto_encryption.h): create a local data
// key, insert two documents and find one by its deterministic field through a schemaMap, then a
// refused query. Prints "ok: ..." per check, "REFUSED: <error>" for the refusal, and exits
// non-zero on the first failure; what reached the server is checked by the test itself.
package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
	"go.mongodb.org/mongo-driver/version"
)

func check(cond bool, what string) {
	if !cond {
		fmt.Println("FAIL: " + what)
		os.Exit(1)
	}
	fmt.Println("ok: " + what)
}

func must(err error, what string) {
	if err != nil {
		fmt.Printf("FAIL: %s: %v\n", what, err)
		os.Exit(1)
	}
}

func main() {
	if len(os.Args) != 5 {
		fmt.Println("usage: go_auto_encryption FAKE_URI spawn|bypass CRYPTD_PORT DIR")
		os.Exit(2)
	}
	fakeURI, mode, port, dir := os.Args[1], os.Args[2], os.Args[3], os.Args[4]
	if _, err := strconv.Atoi(port); err != nil || (mode != "spawn" && mode != "bypass") {
		fmt.Println("FAIL: bad arguments")
		os.Exit(2)
	}
	fmt.Println("go driver " + version.Driver)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	localKey := make([]byte, 96)
	for i := range localKey {
		localKey[i] = byte(255 - i)
	}
	kms := map[string]map[string]interface{}{"local": {"key": localKey}}

	keyVault, err := mongo.Connect(ctx, options.Client().ApplyURI(fakeURI))
	must(err, "key vault client")
	defer keyVault.Disconnect(ctx)
	ce, err := mongo.NewClientEncryption(keyVault, options.ClientEncryption().
		SetKeyVaultNamespace("keyvault.datakeys").SetKmsProviders(kms))
	must(err, "client encryption")
	keyID, err := ce.CreateDataKey(ctx, "local", options.DataKey())
	must(err, "create data key")
	check(keyID.Subtype == 4 && len(keyID.Data) == 16, "created a local data key (UUID)")

	encrypt := func(algorithm string, bsonType string) bson.M {
		e := bson.M{"keyId": bson.A{keyID}, "algorithm": algorithm}
		if bsonType != "" {
			e["bsonType"] = bsonType
		}
		return bson.M{"encrypt": e}
	}
	schema := bson.M{"bsonType": "object", "properties": bson.M{
		"ssn":   encrypt("AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic", "string"),
		"notes": encrypt("AEAD_AES_256_CBC_HMAC_SHA_512-Random", ""),
	}}
	extra := map[string]interface{}{"mongocryptdURI": "mongodb://127.0.0.1:" + port}
	if mode == "spawn" {
		extra["mongocryptdSpawnArgs"] = []string{"--port=" + port,
			"--pidfilepath=" + dir + "/mongocryptd.pid", "--unixSocketPrefix=" + dir}
	} else {
		extra["mongocryptdBypassSpawn"] = true
		extra["mongocryptdPath"] = "/nonexistent/mongocryptd" // a spawn would fail loudly
	}
	auto := options.AutoEncryption().SetKeyVaultNamespace("keyvault.datakeys").
		SetKmsProviders(kms).SetSchemaMap(map[string]interface{}{"medical.patients": schema}).
		SetExtraOptions(extra)
	client, err := mongo.Connect(ctx, options.Client().ApplyURI(fakeURI).SetAutoEncryptionOptions(auto))
	must(err, "auto-encrypting client")
	defer client.Disconnect(ctx)
	coll := client.Database("medical").Collection("patients")

	_, err = coll.InsertMany(ctx, []interface{}{
		bson.D{{"_id", 1}, {"name", "Jon Doe"}, {"ssn", "457-55-5462"}, {"notes", "allergic"}},
		bson.D{{"_id", 2}, {"name", "Jane Roe"}, {"ssn", "123-45-6789"}, {"notes", "none"}},
	})
	must(err, "insert")
	check(true, "inserted two documents")

	cur, err := coll.Find(ctx, bson.D{{"ssn", "457-55-5462"}})
	must(err, "find")
	var docs []bson.M
	must(cur.All(ctx, &docs), "find cursor")
	check(len(docs) == 1, fmt.Sprintf("find by the deterministic field returns one document: %v", docs))
	check(docs[0]["name"] == "Jon Doe" && docs[0]["ssn"] == "457-55-5462" && docs[0]["notes"] == "allergic",
		fmt.Sprintf("the application reads plaintext back: %v", docs[0]))
	_, isBinary := docs[0]["ssn"].(primitive.Binary)
	check(!isBinary, "ssn was decrypted")

	_, err = coll.Find(ctx, bson.D{{"ssn", bson.D{{"$gt", "1"}}}})
	check(err != nil, "a range query on the deterministic field is refused")
	fmt.Println("REFUSED: " + err.Error())
	fmt.Println("all go driver checks passed")
}
