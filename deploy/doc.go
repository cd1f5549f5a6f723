// Package deploy holds no code: its directory keeps the Kubernetes manifests (kubernetes/) and
// the Compose helper scripts (compose/), and its test checks them and ../compose.yaml against
// the Kubernetes API types and the server's defaults (docs/deployment.md, "Packaging").
package deploy
