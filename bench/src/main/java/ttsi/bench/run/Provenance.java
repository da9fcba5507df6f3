package ttsi.bench.run;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Where a run's inputs came from: content hashes of the model and data files, the ttsi version, the machine. */
public final class Provenance {
    private Provenance() {}

    public static final String VERSION = "0.1.0";

    /** SHA-256 of one file. */
    public static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One hash over a model folder's config, weight, tokenizer and template files (names and contents). */
    public static String folderHash(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> files = s.filter(Files::isRegularFile).filter(p -> {
                String n = p.getFileName().toString();
                return n.endsWith(".json") || n.endsWith(".safetensors") || n.endsWith(".txt") || n.endsWith(".jinja");
            }).sorted().toList();
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Path f : files) {
                md.update(f.getFileName().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                md.update(HexFormat.of().parseHex(sha256(f)));
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One hash over a PEFT adapter folder's adapter_config.json and adapter_model.safetensors (names and contents). */
    public static String adapterHash(Path dir) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String f : List.of("adapter_config.json", "adapter_model.safetensors")) {
                md.update(f.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                md.update(HexFormat.of().parseHex(sha256(dir.resolve(f))));
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        m.put("cpus", Runtime.getRuntime().availableProcessors());
        m.put("max_heap_gib", Math.round(Runtime.getRuntime().maxMemory() / (double) (1L << 30) * 10) / 10.0);
        m.put("java", System.getProperty("java.vendor") + " " + System.getProperty("java.version"));
        try {
            m.put("host", java.net.InetAddress.getLocalHost().getHostName());
        } catch (IOException e) {
            m.put("host", "unknown");
        }
        return m;
    }
}
