package io.consumergraph.flags;

/**
 * One user listed in one version of an id list: route it by {@code userId} to keyed state, which
 * remembers the list versions the user is in (see {@link FlagSnapshot#currentLists}). Plain strings
 * so Flink treats it as a POJO.
 */
public record IdListMember(String listKey, String listVersion, String userId) {}
