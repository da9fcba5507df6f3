package ttsi.toolshift;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import ttsi.agent.json.Json;

/**
 * The parameter library of the ToolShift world: each slot is a typed parameter with a value generator and the
 * phrases ({@code {v}} is the value) a request uses to state it. Every generated value appears verbatim in the
 * request that states it (strings in quotes), so a call is always recoverable from its request; names, titles and
 * other free strings are compositional pseudo-words, so it is recoverable only from the request.
 */
public final class Slots {
    private Slots() {}

    /** One parameter kind. {@code type} is a JSON-schema word; enums are strings with {@code enumValues}. */
    public record Slot(String name, String type, String description, List<String> mentions, List<String> falseMentions,
                       List<String> enumValues, Gen gen) {
        /** A fresh value. */
        public JsonNode value(SplittableRandom r) {
            return gen.next(r);
        }

        /** How the value is written in a request. */
        public String text(JsonNode v) {
            if (v.isDouble() || v.isFloat() || v.isBigDecimal()) return BigDecimal.valueOf(v.doubleValue()).stripTrailingZeros().toPlainString();
            return v.asText();
        }

        /** A phrase stating the value (for booleans: the phrase of true or of false). */
        public String mention(JsonNode v, SplittableRandom r) {
            List<String> ms = type.equals("boolean") && !v.booleanValue() ? falseMentions : mentions;
            String phrase = ms.get(r.nextInt(ms.size()));
            // Strings are quoted so that the value's first token is the same in the request and in the JSON call
            // (" Paris" and "\"Paris" split differently, and the first token to copy would never be in the request).
            if (type.equals("string") && !phrase.contains("\"{v}\"")) phrase = phrase.replace("{v}", "\"{v}\"");
            return phrase.replace("{v}", text(v));
        }

        /** {type, description[, enum]}: the property schema. */
        public ObjectNode schema() {
            ObjectNode o = Json.object();
            o.put("type", type);
            o.put("description", description);
            if (!enumValues.isEmpty()) {
                var a = o.putArray("enum");
                enumValues.forEach(a::add);
            }
            return o;
        }
    }

    @FunctionalInterface
    public interface Gen {
        JsonNode next(SplittableRandom r);
    }

    // ------------------------------------------------------------------ compositional values (no external data)

    /**
     * Syllables of the pseudo-words that most string values are made of: 18 onsets x 6 vowels x 4 codas, so a
     * two-syllable word has ~190,000 spellings and a slot's values cannot be guessed from a pool, only copied
     * from the request (a small model trained on small closed pools learns to guess instead of copying).
     */
    private static final String[] ONSETS = {"b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "st", "tr", "kl"};
    private static final String[] VOWELS = {"a", "e", "i", "o", "u", "ai"};
    private static final String[] CODAS = {"", "", "n", "r"};

    /** A lowercase pseudo-word of 2 or 3 syllables. */
    static String word(SplittableRandom r) {
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(4) == 0 ? 3 : 2;
        for (int i = 0; i < n; i++) sb.append(ONSETS[r.nextInt(ONSETS.length)]).append(VOWELS[r.nextInt(VOWELS.length)]).append(CODAS[r.nextInt(CODAS.length)]);
        return sb.toString();
    }

    /** A capitalised pseudo-word (a name). */
    static String name(SplittableRandom r) {
        String w = word(r);
        return Character.toUpperCase(w.charAt(0)) + w.substring(1);
    }

    /** n lowercase pseudo-words. */
    static String words(SplittableRandom r, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) sb.append(i == 0 ? "" : " ").append(word(r));
        return sb.toString();
    }

    /** A pseudo-word followed by a real head noun ("zevo kettle"), so values keep their kind. */
    static TextGen kind(String... heads) {
        return r -> word(r) + " " + heads[r.nextInt(heads.length)];
    }

    // ------------------------------------------------------------------ generators

    static Gen pick(List<String> xs) {
        return r -> Json.NODES.textNode(xs.get(r.nextInt(xs.size())));
    }

    static Gen ints(int lo, int hi) {
        return r -> Json.NODES.numberNode(lo + r.nextInt(hi - lo + 1));
    }

    /** A number with one or two decimals, not a whole number. */
    static Gen money(int lo, int hi) {
        return r -> {
            int cents = r.nextInt(1, 100);
            if (cents % 10 == 0) cents += 5;
            return Json.NODES.numberNode(new BigDecimal(lo + r.nextInt(hi - lo + 1)).add(BigDecimal.valueOf(cents, 2)).doubleValue());
        };
    }

    static Gen text(TextGen g) {
        return r -> Json.NODES.textNode(g.next(r));
    }

    interface TextGen {
        String next(SplittableRandom r);
    }

    static String any(SplittableRandom r, List<String> xs) {
        return xs.get(r.nextInt(xs.size()));
    }

    static String date(SplittableRandom r) {
        return String.format("%d-%02d-%02d", 2024 + r.nextInt(6), 1 + r.nextInt(12), 1 + r.nextInt(28));
    }

    static String time(SplittableRandom r) {
        return String.format("%02d:%02d", 7 + r.nextInt(15), 15 * r.nextInt(4));
    }

    static String code(SplittableRandom r, String prefix) {
        return prefix + "-" + (10000 + r.nextInt(90000));
    }

    static String person(SplittableRandom r) {
        return name(r) + " " + name(r);
    }

    static String title(SplittableRandom r) {
        return name(r) + " " + name(r);
    }

    static String ticker(SplittableRandom r) {
        StringBuilder sb = new StringBuilder();
        int n = 3 + r.nextInt(2);
        for (int i = 0; i < n; i++) sb.append((char) ('A' + r.nextInt(26)));
        return sb.toString();
    }

    // ------------------------------------------------------------------ the library

    private static final Map<String, Slot> LIBRARY = new LinkedHashMap<>();

    private static void s(String name, String type, String desc, Gen gen, String... mentions) {
        LIBRARY.put(name, new Slot(name, type, desc, List.of(mentions), List.of(), List.of(), gen));
    }

    private static void e(String name, String desc, List<String> values, String... mentions) {
        LIBRARY.put(name, new Slot(name, "string", desc, List.of(mentions), List.of(), values, pick(values)));
    }

    private static void b(String name, String desc, List<String> whenTrue, List<String> whenFalse) {
        LIBRARY.put(name, new Slot(name, "boolean", desc, whenTrue, whenFalse, List.of(), r -> Json.NODES.booleanNode(r.nextInt(3) > 0)));
    }

    static {
        // places and time
        s("city", "string", "Name of the city.", text(Slots::name), "in {v}", "for {v}");
        s("origin", "string", "City of departure.", text(Slots::name), "from {v}", "leaving from {v}");
        s("destination", "string", "City of arrival.", text(Slots::name), "to {v}", "going to {v}");
        s("date", "string", "Date in YYYY-MM-DD format.", text(Slots::date), "on {v}", "for {v}");
        s("start_date", "string", "First day, YYYY-MM-DD.", text(Slots::date), "starting {v}", "from {v} on");
        s("time", "string", "Time of day, HH:MM (24h).", text(Slots::time), "at {v}", "around {v}");
        s("address", "string", "Street address.", text(r -> (1 + r.nextInt(300)) + " " + name(r) + " Street"), "at {v}", "from {v}");
        s("dropoff", "string", "Drop-off street address.", text(r -> (1 + r.nextInt(300)) + " " + name(r) + " Avenue"), "to {v}", "dropping off at {v}");
        e("units", "Unit system.", List.of("metric", "imperial"), "in {v} units", "using {v} units");
        s("days", "integer", "Number of days.", ints(1, 14), "for the next {v} days", "covering {v} days");
        b("include_hourly", "Whether to include hourly details.", List.of("with hourly details", "including the hourly breakdown"),
                List.of("without hourly details", "skipping the hourly breakdown"));
        e("severity", "Minimum alert severity.", List.of("minor", "moderate", "severe"), "of {v} severity", "at {v} level or above");
        // travel and lodging
        s("passengers", "integer", "Number of passengers.", ints(1, 9), "for {v} passengers", "for {v} travellers");
        e("cabin_class", "Cabin class.", List.of("economy", "premium", "business", "first"), "in {v} class", "flying {v}");
        s("flight_number", "string", "Flight number.", text(r -> (char) ('A' + r.nextInt(26)) + "" + (char) ('A' + r.nextInt(26)) + (100 + r.nextInt(900))), "flight {v}", "number {v}");
        s("booking_id", "string", "Booking reference.", text(r -> code(r, "BK")), "with reference {v}", "booking {v}");
        s("nights", "integer", "Number of nights.", ints(1, 14), "for {v} nights", "staying {v} nights");
        s("guests", "integer", "Number of guests.", ints(1, 8), "for {v} guests", "with {v} guests");
        s("max_price", "number", "Maximum price in dollars.", money(20, 900), "under {v} dollars", "for at most {v} dollars");
        b("refundable", "Only refundable options.", List.of("that are refundable", "with free cancellation"), List.of("even if non-refundable", "including non-refundable ones"));
        s("hotel", "string", "Hotel name.", text(r -> "Hotel " + name(r)), "at {v}", "at the {v}");
        // dining and recipes
        e("cuisine", "Type of cuisine.", List.of("italian", "thai", "mexican", "indian", "japanese", "greek", "ethiopian", "french"), "serving {v} food", "with {v} cuisine");
        s("party_size", "integer", "Number of people.", ints(1, 12), "for {v} people", "for a party of {v}");
        s("restaurant", "string", "Restaurant name.", text(r -> name(r) + "'s " + name(r)), "at {v}", "at the restaurant {v}");
        s("dish", "string", "Name of the dish.", text(kind("soup", "curry", "risotto", "bread", "tacos", "pie", "salad", "stew", "pancakes", "wrap")), "for {v}", "called {v}");
        s("ingredient", "string", "Main ingredient.", text(Slots::word), "with {v}", "using {v}");
        e("diet", "Dietary restriction.", List.of("vegan", "vegetarian", "gluten-free", "keto", "halal"), "that is {v}", "suitable for a {v} diet");
        s("servings", "integer", "Number of servings.", ints(1, 10), "for {v} servings", "serving {v}");
        s("max_calories", "integer", "Calorie limit per serving.", ints(200, 900), "under {v} calories", "with at most {v} calories");
        // finance
        s("ticker", "string", "Stock ticker symbol.", text(Slots::ticker), "for {v}", "of {v}");
        s("shares", "integer", "Number of shares.", ints(1, 500), "for {v} shares", "{v} shares");
        s("amount", "number", "Amount of money.", money(5, 5000), "of {v}", "for {v}");
        e("currency", "Currency code.", List.of("USD", "EUR", "JPY", "GBP", "CHF", "BRL", "INR"), "in {v}", "denominated in {v}");
        e("target_currency", "Currency to convert into.", List.of("USD", "EUR", "JPY", "GBP", "CHF", "BRL", "INR"), "into {v}", "to {v}");
        s("account_id", "string", "Account identifier.", text(r -> code(r, "ACC")), "on account {v}", "for account {v}");
        e("period", "Time period.", List.of("1d", "1w", "1m", "6m", "1y"), "over {v}", "for the {v} period");
        // people and messages
        s("recipient", "string", "Full name of the recipient.", text(Slots::person), "to {v}", "for {v}");
        s("contact", "string", "Full name of the contact.", text(Slots::person), "named {v}", "for {v}");
        s("email", "string", "Email address.", text(r -> word(r) + "." + word(r) + "@example.com"), "at {v}", "with email {v}");
        s("message", "string", "Text of the message.", text(r -> words(r, 2 + r.nextInt(3))), "saying \"{v}\"", "with the text \"{v}\"");
        e("channel", "Delivery channel.", List.of("sms", "email", "chat"), "via {v}", "over {v}");
        b("urgent", "Mark as urgent.", List.of("marked urgent", "as a priority"), List.of("not marked urgent", "with normal priority"));
        // calendar and productivity
        s("title", "string", "Title.", text(Slots::title), "titled \"{v}\"", "called \"{v}\"");
        s("duration_minutes", "integer", "Duration in minutes.", ints(5, 180), "for {v} minutes", "lasting {v} minutes");
        s("reminder_minutes", "integer", "Minutes before to remind.", ints(5, 120), "with a reminder {v} minutes before", "reminding me {v} minutes ahead");
        s("location", "string", "Where it takes place.", text(r -> name(r) + " Room"), "in the {v}", "located in {v}");
        e("priority", "Priority level.", List.of("low", "medium", "high"), "with {v} priority", "at {v} priority");
        s("limit", "integer", "Maximum number of results.", ints(1, 50), "showing up to {v} results", "limited to {v} results");
        // media
        s("artist", "string", "Artist name.", text(r -> "The " + name(r) + "s"), "by {v}", "from {v}");
        s("song", "string", "Song title.", text(Slots::title), "called \"{v}\"", "titled \"{v}\"");
        s("playlist", "string", "Playlist name.", text(r -> name(r) + " Mix"), "to the playlist {v}", "in {v}");
        e("genre", "Genre.", List.of("jazz", "rock", "pop", "classical", "hip hop", "folk", "electronic"), "in the {v} genre", "of {v}");
        s("volume", "integer", "Volume level 0-100.", ints(0, 100), "at volume {v}", "with the volume at {v}");
        b("shuffle", "Shuffle the order.", List.of("on shuffle", "shuffled"), List.of("in order", "without shuffle"));
        s("movie", "string", "Movie title.", text(r -> "The " + name(r) + " of " + name(r)), "for \"{v}\"", "called \"{v}\"");
        s("year", "integer", "Year.", ints(1980, 2025), "from {v}", "released in {v}");
        e("language", "Language.", List.of("english", "spanish", "french", "german", "japanese", "hindi"), "in {v}", "with {v} audio");
        s("topic", "string", "Topic to search.", text(r -> words(r, 1 + r.nextInt(2))), "about {v}", "on {v}");
        // health and fitness
        s("symptom", "string", "Main symptom.", text(kind("pain", "rash", "cough", "fever", "ache")), "for {v}", "about my {v}");
        s("medication", "string", "Medication name.", text(r -> word(r) + "ol"), "for {v}", "of {v}");
        s("dosage_mg", "integer", "Dose in milligrams.", ints(5, 1000), "at {v} mg", "with a dose of {v} mg");
        s("doctor", "string", "Doctor's name.", text(r -> "Dr. " + name(r)), "with {v}", "to see {v}");
        e("activity", "Kind of activity.", List.of("running", "cycling", "swimming", "yoga", "rowing", "hiking"), "for {v}", "of {v}");
        s("distance_km", "number", "Distance in kilometres.", money(1, 40), "covering {v} km", "of {v} km");
        // shopping
        s("product", "string", "Product name.", text(kind("kettle", "lamp", "backpack", "mat", "bottle", "jacket", "tent", "scarf", "keyboard")), "for a {v}", "for the {v}");
        s("quantity", "integer", "How many items.", ints(1, 20), "x{v}", "quantity {v}");
        e("size", "Size.", List.of("small", "medium", "large", "XL"), "in size {v}", "size {v}");
        e("color", "Colour.", List.of("black", "white", "red", "green", "blue", "grey"), "in {v}", "colored {v}");
        s("order_id", "string", "Order number.", text(r -> code(r, "ORD")), "for order {v}", "with order number {v}");
        b("express", "Use express shipping.", List.of("with express shipping", "shipped express"), List.of("with standard shipping", "without express shipping"));
        // sports
        s("team", "string", "Team name.", text(r -> name(r) + " " + name(r) + "s"), "for the {v}", "of the {v}");
        e("league", "League.", List.of("premier", "national", "continental", "college"), "in the {v} league", "from the {v} league");
        s("season", "integer", "Season year.", ints(2000, 2025), "in the {v} season", "for season {v}");
        s("player", "string", "Player name.", text(Slots::person), "for {v}", "of player {v}");
        // home, education, jobs, property, pets
        e("room", "Room of the house.", List.of("kitchen", "bedroom", "living room", "office", "garage", "hallway"), "in the {v}", "for the {v}");
        s("temperature", "integer", "Target temperature in Celsius.", ints(16, 28), "to {v} degrees", "at {v} degrees");
        s("brightness", "integer", "Brightness percentage.", ints(0, 100), "to {v} percent brightness", "at {v}% brightness");
        e("device", "Device type.", List.of("lights", "thermostat", "speaker", "blinds", "fan", "camera"), "for the {v}", "on the {v}");
        s("course", "string", "Course name.", text(kind("algebra", "history", "chemistry", "writing", "theory", "biology")), "for {v}", "in {v}");
        e("level", "Difficulty level.", List.of("beginner", "intermediate", "advanced"), "at {v} level", "for {v} students");
        s("student", "string", "Student's full name.", text(Slots::person), "for student {v}", "for {v}");
        s("job_title", "string", "Job title.", text(kind("analyst", "developer", "designer", "nurse", "engineer", "chef")), "for {v} roles", "as a {v}");
        s("company", "string", "Company name.", text(r -> name(r) + " " + any(r, List.of("Labs", "Group", "Works", "Systems"))), "at {v}", "with {v}");
        b("remote", "Remote positions only.", List.of("that are remote", "working remotely"), List.of("that are on-site", "in the office"));
        s("min_salary", "integer", "Minimum yearly salary.", ints(30, 200), "paying at least {v} thousand", "with a salary of {v}k or more");
        s("bedrooms", "integer", "Number of bedrooms.", ints(1, 6), "with {v} bedrooms", "having {v} bedrooms");
        s("max_rent", "number", "Maximum monthly rent.", money(500, 4000), "under {v} a month", "for at most {v} monthly");
        e("property_type", "Kind of property.", List.of("apartment", "house", "studio", "loft"), "of type {v}", "looking for a {v}");
        s("pet_name", "string", "The pet's name.", text(Slots::name), "for {v}", "named {v}");
        e("species", "Species.", List.of("dog", "cat", "rabbit", "parrot", "hamster"), "for my {v}", "for a {v}");
        s("weight_kg", "number", "Weight in kilograms.", money(1, 60), "weighing {v} kg", "at {v} kg");
    }

    /** The slot with that name. */
    public static Slot get(String name) {
        Slot s = LIBRARY.get(name);
        if (s == null) throw new IllegalArgumentException("no slot '" + name + "'");
        return s;
    }

    public static Map<String, Slot> all() {
        return java.util.Collections.unmodifiableMap(LIBRARY);
    }
}
