package io.consumergraph.flags;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What every gate needs to decide: the current flag document (or "no document yet") and the current
 * version of each id list it references. This is the value to broadcast: {@link #toJson()} gives a
 * String that Flink serializes natively, {@link #fromJson(String)} restores it.
 *
 * @param document the document, null before the first good one
 * @param documentText the document as fetched, so a receiver can re-parse it
 * @param location where the document was read from
 * @param documentVersion the version of {@code documentText}
 * @param idListVersions list key ({@link IdListRef#key()}) to the version whose ids were all
 *     streamed; a list that never loaded is absent, so nobody is a member through it
 * @param loadedAt when this snapshot was made
 */
public record FlagSnapshot(
    FlagDocument document,
    String documentText,
    DocumentLocation location,
    ContentVersion documentVersion,
    Map<String, ContentVersion> idListVersions,
    Instant loadedAt)
    implements Serializable {

  private static final FlagSnapshot NO_DOCUMENT =
      new FlagSnapshot(null, null, null, null, Map.of(), Instant.EPOCH);

  private static final ObjectMapper JSON = new ObjectMapper();

  public FlagSnapshot {
    idListVersions = Map.copyOf(idListVersions);
  }

  /**
   * The state before any document loaded: ingestion closed ({@link IngestionDecision#NO_DOCUMENT})
   * and no killswitch engaged.
   */
  public static FlagSnapshot noDocumentYet() {
    return NO_DOCUMENT;
  }

  public boolean hasDocument() {
    return document != null;
  }

  /** The document, if one has loaded. */
  public Optional<FlagDocument> documentIfLoaded() {
    return Optional.ofNullable(document);
  }

  /**
   * Decides with the id lists the user is in at their current version.
   *
   * @param listsTheUserIsIn list keys whose current version lists the user (see {@link
   *     #currentLists})
   */
  public IngestionDecision evaluate(String flagName, String userId, Set<String> listsTheUserIsIn) {
    return document == null
        ? IngestionDecision.NO_DOCUMENT
        : document.evaluate(flagName, userId, listsTheUserIsIn);
  }

  /**
   * Decides from the user's keyed state as it is stored: list key to the list versions the user was
   * streamed in.
   */
  public IngestionDecision evaluateWithStoredVersions(
      String flagName, String userId, Map<String, ? extends Collection<String>> storedVersions) {
    return evaluate(flagName, userId, currentLists(storedVersions));
  }

  /**
   * The list keys whose current version is among the user's stored versions. A user removed from a
   * list keeps only older versions and so drops out when the new version is published; keep the
   * last two versions per list so a member stays in while a new version is being streamed.
   */
  public Set<String> currentLists(Map<String, ? extends Collection<String>> storedVersions) {
    if (storedVersions.isEmpty()) {
      return Set.of();
    }
    Set<String> current = new HashSet<>();
    storedVersions.forEach(
        (key, versions) -> {
          ContentVersion version = idListVersions.get(key);
          if (version != null && versions.contains(version.value())) {
            current.add(key);
          }
        });
    return current;
  }

  /** True when the document has the killswitch flag enabled; false without a document. */
  public boolean killswitchEngaged(String killswitchFlagName) {
    return document != null && document.isEnabled(killswitchFlagName);
  }

  /** A JSON form to broadcast: the document's text, versions and location. */
  public String toJson() {
    ObjectNode root = JSON.createObjectNode();
    if (document != null) {
      root.put("location", location == null ? null : location.toString());
      root.put("documentVersion", documentVersion == null ? null : documentVersion.value());
      root.put("documentText", documentText);
      ObjectNode lists = root.putObject("idListVersions");
      idListVersions.forEach((key, version) -> lists.put(key, version.value()));
    }
    root.put("loadedAt", loadedAt.toString());
    return root.toString();
  }

  /** Restores a snapshot made by {@link #toJson()}; the document text is parsed again. */
  public static FlagSnapshot fromJson(String json) {
    try {
      JsonNode root = JSON.readTree(json);
      Instant loadedAt = Instant.parse(root.path("loadedAt").asText(Instant.EPOCH.toString()));
      if (!root.hasNonNull("documentText")) {
        return NO_DOCUMENT;
      }
      DocumentLocation location =
          root.hasNonNull("location")
              ? DocumentLocation.parse(root.get("location").asText())
              : null;
      String text = root.get("documentText").asText();
      FlagDocument document =
          new FlagDocumentParser(FlagDocumentParser.UnknownFields.IGNORE)
              .parse(text.getBytes(StandardCharsets.UTF_8), location);
      Map<String, ContentVersion> lists = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = root.path("idListVersions").fields();
          it.hasNext(); ) {
        Map.Entry<String, JsonNode> entry = it.next();
        lists.put(entry.getKey(), new ContentVersion(entry.getValue().asText()));
      }
      ContentVersion version =
          root.hasNonNull("documentVersion")
              ? new ContentVersion(root.get("documentVersion").asText())
              : null;
      return new FlagSnapshot(document, text, location, version, lists, loadedAt);
    } catch (IOException e) {
      throw new UncheckedIOException("not a flag snapshot: " + e.getMessage(), e);
    } catch (FlagDocumentException e) {
      throw new IllegalArgumentException(
          "snapshot holds an invalid document: " + e.getMessage(), e);
    }
  }
}
