"""The in-cluster ClickHouse started on a volume restored from an EBS snapshot.

The chart's ClickHouse StatefulSet gets its data volume from a volumeClaimTemplate; the StatefulSet
controller creates a claim named `<template>-<statefulset>-<ordinal>` only when no claim of that
name exists, and otherwise uses the one it finds. So, before the release is installed:

- an encrypted gp3 EBS volume is created from the snapshot, in the AZ of the ClickHouse node pool
  (its single subnet), at the configured IOPS/throughput and with the data KMS key;
- a PersistentVolume (EBS CSI, the ClickHouse StorageClass, Retain, node affinity to that AZ) is
  pre-bound to
- a PersistentVolumeClaim with exactly the name the StatefulSet will claim, which it then adopts.

The volume carries the backup tag of the ClickHouse StorageClass, so AWS Backup keeps selecting it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components.args_form import from_args
from components.cluster import CLICKHOUSE_BACKUP_TAG
from components.langsmith_values import RELEASE_NAME

# langsmith chart (0.16.x, templates/clickhouse/stateful-set.yaml): the StatefulSet is
# "{{ langsmith.fullname }}-{{ clickhouse.name }}" = "langsmith-clickhouse" (fullname is the release
# name when it contains the chart name; clickhouse.name defaults to "clickhouse"), with one replica
# and volumeClaimTemplates[0].metadata.name "data" -> claim "data-langsmith-clickhouse-0".
CLICKHOUSE_STATEFULSET = f"{RELEASE_NAME}-clickhouse"
CLICKHOUSE_DATA_CLAIM = f"data-{CLICKHOUSE_STATEFULSET}-0"
# The labels the template puts on the claims it creates (langsmith.selectorLabels + component).
CLICKHOUSE_CLAIM_LABELS = {
    "app.kubernetes.io/name": "langsmith",
    "app.kubernetes.io/instance": RELEASE_NAME,
    "app.kubernetes.io/component": CLICKHOUSE_STATEFULSET,
}
RESTORED_VOLUME_NAME = f"{CLICKHOUSE_DATA_CLAIM}-restored"  # the PersistentVolume (cluster-scoped)
EBS_CSI_DRIVER = "ebs.csi.aws.com"
# Well-known node label; the EBS CSI driver reports it too (aws-ebs-csi-driver#1931), so both the
# scheduler and the driver agree on the zone.
ZONE_LABEL = "topology.kubernetes.io/zone"
# The ext4 filesystem the EBS CSI driver formats volumes with by default (csi.storage.k8s.io/fstype
# unset in our StorageClass), so the snapshot of such a volume mounts as ext4.
FILESYSTEM = "ext4"
RESTORED_FROM_TAG = "langsmith.com/restored-from"


def data_claim(name: str, *, namespace: str, storage_class: str, size_gb: int, provider: k8s.Provider,
               parent: pulumi.Resource, depends_on: Sequence[pulumi.Resource],
               volume_name: str | None = None) -> k8s.core.v1.PersistentVolumeClaim:
    """The claim `data-langsmith-clickhouse-0`, created before the release so the StatefulSet adopts it."""
    annotations = ({"pulumi.com/waitFor": "jsonpath={.status.phase}=Bound"} if volume_name is not None else {})
    return from_args(
        k8s.core.v1.PersistentVolumeClaim, name,
        k8s.core.v1.PersistentVolumeClaimInitArgs(
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=CLICKHOUSE_DATA_CLAIM, namespace=namespace, labels=CLICKHOUSE_CLAIM_LABELS,
                # A claim pre-bound to a volume goes straight to Bound, not the Pending the provider waits
                # for on a WaitForFirstConsumer class (pulumi-kubernetes provider/pkg/await/awaiters.go).
                annotations=annotations or None),
            spec=k8s.core.v1.PersistentVolumeClaimSpecArgs(
                access_modes=["ReadWriteOnce"],
                volume_mode="Filesystem",
                storage_class_name=storage_class,
                volume_name=volume_name,
                resources=k8s.core.v1.VolumeResourceRequirementsArgs(requests={"storage": f"{size_gb}Gi"})),
        ),
        # The traces outlive the claim's removal from the program, as they outlive the cluster.
        pulumi.ResourceOptions(parent=parent, provider=provider, retain_on_delete=True,
                               depends_on=list(depends_on)),
    )


@dataclass(frozen=True)
class ClickHouseRestoreArgs:
    name_prefix: str
    snapshot_id: str
    availability_zone: pulumi.Input[str]
    size_gb: int
    iops: int
    throughput_mibps: int
    kms_key_arn: pulumi.Input[str]
    storage_class: str
    namespace: str  # where the LangSmith release (and so the StatefulSet) runs
    provider: k8s.Provider
    protect: bool
    # The StorageClass and the EBS CSI driver.
    depends_on: Sequence[pulumi.Resource] = field(default_factory=tuple)


class ClickHouseRestore(pulumi.ComponentResource):
    volume: aws.ebs.Volume
    persistent_volume: k8s.core.v1.PersistentVolume
    claim: k8s.core.v1.PersistentVolumeClaim | None

    def __init__(self, name: str, args: ClickHouseRestoreArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("langsmith:aws:ClickHouseRestore", name, None, opts)
        self._name = name
        self._args = args
        backup_key, backup_value = CLICKHOUSE_BACKUP_TAG
        self.volume = aws.ebs.Volume(
            f"{name}-volume",
            availability_zone=args.availability_zone,
            snapshot_id=args.snapshot_id,
            size=args.size_gb,  # CreateVolume refuses a size below the snapshot's
            type="gp3",
            iops=args.iops,
            throughput=args.throughput_mibps,
            encrypted=True,
            kms_key_id=args.kms_key_arn,
            tags={"Name": f"{args.name_prefix}-clickhouse-restored", backup_key: backup_value,
                  RESTORED_FROM_TAG: args.snapshot_id},
            # Like every ClickHouse volume (the StorageClass retains them), it outlives the stack;
            # snapshotId is ForceNew and only matters at creation, so a later edit of the key
            # must not replace the volume that now holds the data. The size grows through the claim
            # (the EBS CSI resizer modifies the volume): read back larger, it must not diff.
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect, retain_on_delete=True,
                                        ignore_changes=["snapshotId", "size"]),
        )
        self.persistent_volume = from_args(
            k8s.core.v1.PersistentVolume, f"{name}-pv",
            k8s.core.v1.PersistentVolumeInitArgs(
                metadata=k8s.meta.v1.ObjectMetaArgs(name=RESTORED_VOLUME_NAME),
                spec=k8s.core.v1.PersistentVolumeSpecArgs(
                    capacity={"storage": f"{args.size_gb}Gi"},
                    access_modes=["ReadWriteOnce"],
                    volume_mode="Filesystem",
                    storage_class_name=args.storage_class,
                    persistent_volume_reclaim_policy="Retain",
                    # Pre-bound both ways: no other claim can take this volume.
                    claim_ref=k8s.core.v1.ObjectReferenceArgs(namespace=args.namespace, name=CLICKHOUSE_DATA_CLAIM),
                    csi=k8s.core.v1.CSIPersistentVolumeSourceArgs(
                        driver=EBS_CSI_DRIVER, volume_handle=self.volume.id, fs_type=FILESYSTEM),
                    node_affinity=k8s.core.v1.VolumeNodeAffinityArgs(required=k8s.core.v1.NodeSelectorArgs(
                        node_selector_terms=[k8s.core.v1.NodeSelectorTermArgs(match_expressions=[
                            k8s.core.v1.NodeSelectorRequirementArgs(
                                key=ZONE_LABEL, operator="In", values=[args.availability_zone])])]))),
            ),
            # The resizer updates the capacity when the claim grows: a refresh must not plan it back.
            pulumi.ResourceOptions(parent=self, provider=args.provider, retain_on_delete=True,
                                   depends_on=list(args.depends_on), ignore_changes=["spec.capacity"]),
        )
        self.claim = None
        self.register_outputs({"volumeId": self.volume.id, "claim": CLICKHOUSE_DATA_CLAIM})

    def claim_in_namespace(self, depends_on: Sequence[pulumi.Resource]) -> k8s.core.v1.PersistentVolumeClaim:
        """The claim the StatefulSet adopts; created once its namespace exists, before the release."""
        args = self._args
        self.claim = data_claim(
            f"{self._name}-claim", namespace=args.namespace, storage_class=args.storage_class, size_gb=args.size_gb,
            provider=args.provider, parent=self, depends_on=[self.persistent_volume, *depends_on],
            volume_name=RESTORED_VOLUME_NAME)
        return self.claim
