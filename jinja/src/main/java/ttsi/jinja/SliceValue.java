package ttsi.jinja;

/** The key of {@code x[a:b:c]}; parts are null when left out. */
record SliceValue(Object start, Object stop, Object step) {}
