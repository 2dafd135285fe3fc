#!/usr/bin/env python3
"""Structural checks of rendered chart manifests (no Kubernetes API server is needed).

Usage: validate_manifests.py RENDERED.yaml [--stages N] [--gpu]
Checks every object has apiVersion/kind/metadata.name with a DNS-1123 name, workload selectors match their pod
labels, every container has an image and resources, each worker stage has a StatefulSet and a headless Service,
and (with --gpu) that workers request the GPU resource.
"""
import re
import sys

import yaml

DNS1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


def main():
    path = sys.argv[1]
    stages = int(sys.argv[sys.argv.index("--stages") + 1]) if "--stages" in sys.argv else None
    gpu = "--gpu" in sys.argv
    docs = [d for d in yaml.safe_load_all(open(path)) if d]
    if not docs:
        fail("no objects rendered")
    kinds = {}
    for doc in docs:
        for key in ("apiVersion", "kind", "metadata"):
            if key not in doc:
                fail(f"object without {key}: {doc}")
        name = doc["metadata"].get("name", "")
        if not DNS1123.match(name) or len(name) > 63:
            fail(f"{doc['kind']} name '{name}' is not a DNS-1123 label of at most 63 characters")
        kinds.setdefault(doc["kind"], []).append(doc)
        spec = doc.get("spec", {})
        if doc["kind"] in ("Deployment", "StatefulSet"):
            selector = spec["selector"]["matchLabels"]
            labels = spec["template"]["metadata"]["labels"]
            for k, v in selector.items():
                if labels.get(k) != v:
                    fail(f"{name}: selector {k}={v} does not match the pod template labels")
            pod = spec["template"]["spec"]
            for container in pod.get("containers", []) + pod.get("initContainers", []):
                if not container.get("image"):
                    fail(f"{name}/{container['name']}: no image")
                if container in pod.get("containers", []) and not container.get("resources"):
                    fail(f"{name}/{container['name']}: no resources")
            mounts = {m["name"] for c in pod.get("containers", []) for m in c.get("volumeMounts", [])}
            volumes = {v["name"] for v in pod.get("volumes", [])}
            claims = {c["metadata"]["name"] for c in spec.get("volumeClaimTemplates", [])}
            missing = mounts - volumes - claims
            if missing:
                fail(f"{name}: volume mounts without volumes: {sorted(missing)}")
    workers = [s for s in kinds.get("StatefulSet", []) if "-worker-s" in s["metadata"]["name"]]
    services = {s["metadata"]["name"]: s for s in kinds.get("Service", [])}
    for sts in workers:
        svc = services.get(sts["spec"]["serviceName"])
        if svc is None or svc["spec"].get("clusterIP") != "None":
            fail(f"{sts['metadata']['name']}: no headless Service {sts['spec']['serviceName']}")
        if gpu:
            limits = sts["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]
            if not any(k.endswith("/gpu") for k in limits):
                fail(f"{sts['metadata']['name']}: no GPU limit")
    if stages is not None and len(workers) != stages:
        fail(f"expected {stages} worker stages, rendered {len(workers)}")
    print(f"ok: {len(docs)} objects ({', '.join(f'{k}×{len(v)}' for k, v in sorted(kinds.items()))})")


if __name__ == "__main__":
    main()
