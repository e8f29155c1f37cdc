package io.dbrecover.gcp.internal;

import com.google.api.services.sqladmin.model.DatabaseInstance;
import com.google.api.services.sqladmin.model.Settings;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The instance a backup run is restored into: created with the source's version, region and the
 * settings a backup restore needs to match (tier, edition, disk, network, flags), labelled with the
 * run so a retried step recognises it. {@code restoreBackup} then overwrites its data and users.
 */
public final class TargetInstances {
  private TargetInstances() {}

  public static DatabaseInstance from(
      DatabaseInstance source,
      String name,
      String runLabel,
      String runLabelKey,
      String sourceLabelKey) {
    Settings from = source.getSettings() == null ? new Settings() : source.getSettings();
    Map<String, String> labels = new LinkedHashMap<>();
    if (from.getUserLabels() != null) {
      from.getUserLabels()
          .forEach(
              (k, v) -> {
                // Ours are replaced, so a restore of a restore names its own run.
                if (!k.startsWith("dbrecover-")) {
                  labels.put(k, v);
                }
              });
    }
    labels.put(runLabelKey, runLabel);
    labels.put(sourceLabelKey, source.getName());
    Settings settings =
        new Settings()
            .setTier(from.getTier())
            .setEdition(from.getEdition())
            .setAvailabilityType(from.getAvailabilityType())
            .setDataDiskSizeGb(from.getDataDiskSizeGb())
            .setDataDiskType(from.getDataDiskType())
            .setIpConfiguration(from.getIpConfiguration())
            .setLocationPreference(from.getLocationPreference())
            .setDatabaseFlags(from.getDatabaseFlags())
            .setDeletionProtectionEnabled(from.getDeletionProtectionEnabled())
            .setUserLabels(labels);
    return new DatabaseInstance()
        .setName(name)
        .setRegion(source.getRegion())
        .setDatabaseVersion(source.getDatabaseVersion())
        .setSettings(settings);
  }
}
