package dev.msfs.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The two settings msfs takes from an AWS shared config file's profile: region and endpoint_url. */
public record AwsConfigFile(Optional<String> region, Optional<String> endpointUrl) {

    /** The profile's section ("[default]" or "[profile NAME]"), if the file and the profile exist. */
    public static Optional<AwsConfigFile> read(Path file, String profile) {
        String header = profile.equals("default") ? "default" : "profile " + profile;
        String region = null;
        String endpoint = null;
        boolean inSection = false;
        boolean found = false;
        try {
            for (String raw : Files.readAllLines(file)) {
                String line = raw.strip();
                if (line.startsWith("[") && line.endsWith("]")) {
                    inSection = line.substring(1, line.length() - 1).strip().equals(header);
                    found |= inSection;
                } else if (inSection && line.contains("=")) {
                    String key = line.substring(0, line.indexOf('=')).strip();
                    String value = line.substring(line.indexOf('=') + 1).strip();
                    if (key.equals("region")) {
                        region = value;
                    } else if (key.equals("endpoint_url")) {
                        endpoint = value;
                    }
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return found ? Optional.of(new AwsConfigFile(Optional.ofNullable(region), Optional.ofNullable(endpoint)))
                : Optional.empty();
    }
}
