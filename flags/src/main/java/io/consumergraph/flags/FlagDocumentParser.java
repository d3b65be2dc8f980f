package io.consumergraph.flags;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parses and validates a flag document written in JSON or YAML (told apart by content: a document
 * whose first non-blank character is <code>{</code> is JSON). Every problem is reported with its
 * path, e.g. {@code flags.consumer_graph_ingestion.segments[2].rollout: 140 is not within 0..100}.
 * Thread-safe.
 */
public final class FlagDocumentParser {

  private static final Logger LOG = LoggerFactory.getLogger(FlagDocumentParser.class);

  /** Inline id lists above this size belong in an id list file ({@code allowedS3IDs}). */
  public static final int MAX_INLINE_IDS = 10_000;

  /** What to do with a field the format does not define. */
  public enum UnknownFields {
    /** An error: catches typos such as {@code rolout: 5} (the default). */
    REJECT,
    /** A WARN log line per field; the field is ignored. */
    WARN,
    /** Silently ignored (used when re-reading a document that was already validated). */
    IGNORE
  }

  private static final Set<String> TOP_LEVEL_FIELDS = Set.of("flags", "internalUsers");
  private static final Set<String> FLAG_FIELDS = Set.of("enabled", "rollout", "segments");
  private static final Set<String> SEGMENT_FIELDS =
      Set.of("name", "internalUsers", "allowedIDs", "allowedS3IDs", "rollout");
  private static final Set<String> INTERNAL_USERS_FIELDS = Set.of("allowedIDs", "allowedS3IDs");

  private final UnknownFields unknownFields;
  private final ObjectMapper json;
  private final ObjectMapper yaml;

  /** A parser that rejects unknown fields. */
  public FlagDocumentParser() {
    this(UnknownFields.REJECT);
  }

  public FlagDocumentParser(UnknownFields unknownFields) {
    this.unknownFields = Objects.requireNonNull(unknownFields, "unknownFields");
    // A repeated key (two flags of the same name) must be an error, not last-one-wins.
    this.json = JsonMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();
    this.yaml = YAMLMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();
  }

  /** Parses a document; relative {@code allowedS3IDs} resolve against the working directory. */
  public FlagDocument parse(String text) throws FlagDocumentException {
    return parse(text.getBytes(StandardCharsets.UTF_8), null);
  }

  /**
   * Parses a document fetched from {@code base}; a bare {@code allowedS3IDs} name resolves against
   * it (same bucket and prefix, same directory, same URL path).
   */
  public FlagDocument parse(byte[] content, DocumentLocation base) throws FlagDocumentException {
    String text = new String(content, StandardCharsets.UTF_8);
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    String trimmed = text.strip();
    if (trimmed.isEmpty()) {
      throw new FlagDocumentException(List.of("(document): is empty"));
    }
    boolean isJson = trimmed.charAt(0) == '{';
    JsonNode root;
    try {
      root = (isJson ? json : yaml).readTree(text);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where =
          at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      throw new FlagDocumentException(
          List.of(
              "(document): not valid "
                  + (isJson ? "JSON" : "YAML")
                  + where
                  + ": "
                  + e.getOriginalMessage()));
    } catch (IOException e) {
      throw new FlagDocumentException(List.of("(document): unreadable: " + e.getMessage()));
    }
    return new Validation(base).document(root);
  }

  /** Walks the tree once, collecting every error before failing. */
  private final class Validation {
    private final DocumentLocation base;
    private final List<String> errors = new ArrayList<>();

    Validation(DocumentLocation base) {
      this.base = base;
    }

    FlagDocument document(JsonNode root) throws FlagDocumentException {
      if (root == null || !root.isObject()) {
        throw new FlagDocumentException(
            List.of("(document): expected a mapping with 'flags', got " + describe(root)));
      }
      unknown(root, "", TOP_LEVEL_FIELDS);
      FlagDocument.InternalUsers internalUsers = internalUsers(root.get("internalUsers"));
      Map<String, FlagDocument.Flag> flags = new LinkedHashMap<>();
      JsonNode flagsNode = root.get("flags");
      if (flagsNode == null || flagsNode.isNull()) {
        errors.add("flags: is required");
      } else if (!flagsNode.isObject()) {
        errors.add("flags: expected a mapping of flag name to flag, got " + describe(flagsNode));
      } else if (flagsNode.isEmpty()) {
        // An empty flag set is far more likely a truncated upload than an intent.
        errors.add("flags: has no flags; a document must define at least one flag");
      } else {
        for (Iterator<Map.Entry<String, JsonNode>> it = flagsNode.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> entry = it.next();
          FlagDocument.Flag flag =
              flag(entry.getKey(), entry.getValue(), "flags." + entry.getKey(), internalUsers);
          if (flag != null) {
            flags.put(flag.name(), flag);
          }
        }
      }
      if (!errors.isEmpty()) {
        throw new FlagDocumentException(errors);
      }
      return new FlagDocument(flags, internalUsers);
    }

    private FlagDocument.Flag flag(
        String name, JsonNode node, String path, FlagDocument.InternalUsers internalUsers) {
      if (name.isBlank()) {
        errors.add(path + ": a flag name must not be blank");
        return null;
      }
      if (node == null || !node.isObject()) {
        errors.add(path + ": expected a mapping with 'enabled', got " + describe(node));
        return null;
      }
      unknown(node, path, FLAG_FIELDS);
      Boolean enabled = requiredBoolean(node, "enabled", path);
      double rollout = percentage(node, "rollout", path, 0);
      List<FlagDocument.Segment> segments = new ArrayList<>();
      JsonNode segmentsNode = node.get("segments");
      if (segmentsNode != null && !segmentsNode.isNull()) {
        if (!segmentsNode.isArray()) {
          errors.add(path + ".segments: expected a list, got " + describe(segmentsNode));
        } else {
          Set<String> names = new HashSet<>();
          for (int i = 0; i < segmentsNode.size(); i++) {
            FlagDocument.Segment segment =
                segment(segmentsNode.get(i), path + ".segments[" + i + "]", internalUsers);
            if (segment != null && !names.add(segment.name())) {
              errors.add(
                  path
                      + ".segments["
                      + i
                      + "].name: \""
                      + segment.name()
                      + "\" is used by an earlier segment of this flag");
            }
            if (segment != null) {
              segments.add(segment);
            }
          }
        }
      }
      return enabled == null ? null : new FlagDocument.Flag(name, enabled, rollout, segments);
    }

    private FlagDocument.Segment segment(
        JsonNode node, String path, FlagDocument.InternalUsers internalUsers) {
      if (node == null || !node.isObject()) {
        errors.add(path + ": expected a mapping with 'name', got " + describe(node));
        return null;
      }
      unknown(node, path, SEGMENT_FIELDS);
      int before = errors.size();
      String name = null;
      JsonNode nameNode = node.get("name");
      if (nameNode == null || nameNode.isNull()) {
        errors.add(path + ".name: is required");
      } else if (!nameNode.isTextual() || nameNode.asText().isBlank()) {
        errors.add(path + ".name: expected a non-blank string, got " + describe(nameNode));
      } else {
        name = nameNode.asText().strip();
      }
      boolean internal = false;
      JsonNode internalNode = node.get("internalUsers");
      if (internalNode != null && !internalNode.isNull()) {
        if (!internalNode.isBoolean()) {
          errors.add(
              path + ".internalUsers: expected true or false, got " + describe(internalNode));
        } else {
          internal = internalNode.booleanValue();
        }
      }
      Set<String> allowedIds = ids(node.get("allowedIDs"), path + ".allowedIDs");
      IdListRef idList = idList(node.get("allowedS3IDs"), path + ".allowedS3IDs");
      int rules = (internal ? 1 : 0) + (allowedIds != null ? 1 : 0) + (idList != null ? 1 : 0);
      if (rules != 1 && errors.size() == before) {
        errors.add(
            path
                + ": exactly one of internalUsers: true, allowedIDs, allowedS3IDs must be set, found "
                + rules);
      }
      if (internal && internalUsers.allowedIds().isEmpty() && internalUsers.idListRef().isEmpty()) {
        errors.add(
            path
                + ".internalUsers: is true but the document's top-level internalUsers lists nobody");
      }
      double rollout = percentage(node, "rollout", path, 100);
      if (errors.size() != before) {
        return null;
      }
      return new FlagDocument.Segment(
          name, internal, allowedIds == null ? Set.of() : allowedIds, idList, rollout);
    }

    private FlagDocument.InternalUsers internalUsers(JsonNode node) {
      if (node == null || node.isNull()) {
        return FlagDocument.InternalUsers.NONE;
      }
      if (!node.isObject()) {
        errors.add(
            "internalUsers: expected a mapping with allowedIDs/allowedS3IDs, got "
                + describe(node));
        return FlagDocument.InternalUsers.NONE;
      }
      unknown(node, "internalUsers", INTERNAL_USERS_FIELDS);
      Set<String> ids = ids(node.get("allowedIDs"), "internalUsers.allowedIDs");
      IdListRef idList = idList(node.get("allowedS3IDs"), "internalUsers.allowedS3IDs");
      return new FlagDocument.InternalUsers(ids == null ? Set.of() : ids, idList);
    }

    /** A list of ids, or one comma-separated string as Feature Flipper's UI stores it. */
    private Set<String> ids(JsonNode node, String path) {
      if (node == null || node.isNull()) {
        return null;
      }
      Set<String> ids = new LinkedHashSet<>();
      if (node.isTextual()) {
        for (String part : node.asText().split(",", -1)) {
          if (!part.isBlank()) {
            ids.add(part.strip());
          }
        }
      } else if (node.isArray()) {
        for (int i = 0; i < node.size(); i++) {
          JsonNode id = node.get(i);
          if (id.isTextual() && !id.asText().isBlank()) {
            ids.add(id.asText().strip());
          } else if (id.isIntegralNumber()) {
            // YAML reads an unquoted numeric id as a number; ids are strings, keep its digits.
            ids.add(id.asText());
          } else {
            errors.add(path + "[" + i + "]: expected a non-blank id, got " + describe(id));
          }
        }
      } else {
        errors.add(
            path + ": expected a list of ids or a comma-separated string, got " + describe(node));
        return null;
      }
      if (ids.isEmpty()) {
        errors.add(path + ": lists no ids");
        return null;
      }
      if (ids.size() > MAX_INLINE_IDS) {
        errors.add(
            path
                + ": "
                + ids.size()
                + " inline ids; at most "
                + MAX_INLINE_IDS
                + " are allowed inline, put larger lists in a file referenced by allowedS3IDs");
        return null;
      }
      return ids;
    }

    private IdListRef idList(JsonNode node, String path) {
      if (node == null || node.isNull()) {
        return null;
      }
      if (!node.isTextual() || node.asText().isBlank()) {
        errors.add(
            path + ": expected an s3://bucket/key, http(s):// URL or path, got " + describe(node));
        return null;
      }
      String reference = node.asText().strip();
      try {
        DocumentLocation location =
            base == null ? DocumentLocation.parse(reference) : base.resolve(reference);
        return new IdListRef(reference, location);
      } catch (IllegalArgumentException e) {
        errors.add(path + ": " + e.getMessage());
        return null;
      }
    }

    private Boolean requiredBoolean(JsonNode node, String field, String path) {
      JsonNode value = node.get(field);
      if (value == null || value.isNull()) {
        errors.add(path + "." + field + ": is required (true or false)");
        return null;
      }
      if (!value.isBoolean()) {
        errors.add(path + "." + field + ": expected true or false, got " + describe(value));
        return null;
      }
      return value.booleanValue();
    }

    private double percentage(JsonNode node, String field, String path, double absent) {
      JsonNode value = node.get(field);
      if (value == null || value.isNull()) {
        return absent;
      }
      if (!value.isNumber()) {
        errors.add(path + "." + field + ": expected a number 0..100, got " + describe(value));
        return absent;
      }
      double percent = value.doubleValue();
      if (!(percent >= 0 && percent <= 100)) {
        errors.add(path + "." + field + ": " + value.asText() + " is not within 0..100");
        return absent;
      }
      return percent;
    }

    private void unknown(JsonNode node, String path, Set<String> known) {
      if (unknownFields == UnknownFields.IGNORE) {
        return;
      }
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        String field = it.next();
        if (!known.contains(field)) {
          String where = path.isEmpty() ? field : path + "." + field;
          String message =
              where + ": unknown field (known: " + String.join(", ", sorted(known)) + ")";
          if (unknownFields == UnknownFields.REJECT) {
            errors.add(message);
          } else {
            LOG.warn("Flag document: {}; ignored", message);
          }
        }
      }
    }
  }

  private static List<String> sorted(Set<String> set) {
    List<String> list = new ArrayList<>(set);
    list.sort(null);
    return list;
  }

  private static String describe(JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return "nothing";
    }
    if (node.isNull()) {
      return "null";
    }
    if (node.isObject()) {
      return "a mapping";
    }
    if (node.isArray()) {
      return "a list";
    }
    String text = node.toString();
    return text.length() > 60 ? text.substring(0, 57) + "..." : text;
  }
}
