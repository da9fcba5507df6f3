package ttsi.toolshift;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fixed vocabulary of the world: verbs (with the phrasings a request uses for them) and domains of objects.
 * A tool is a verb applied to an object ({@code book_table}, {@code search_flights}); its parameters are the
 * object's slots (or the verb's own list), {@code *} marking the required ones.
 */
final class Catalog {
    private Catalog() {}

    /**
     * A verb. {@code plural}: the tool name and phrasings use the plural object. Phrasings use {a} (noun with
     * article), {n} (the bare noun) and {p} (plural). The LAST phrasing of each verb is held out for the test split.
     */
    record Verb(String name, boolean plural, String description, List<String> phrasings) {}

    /** An object of a domain, and the verbs it takes; a verb may carry its own slot list ("cancel(booking_id*)"). */
    record Obj(String noun, String plural, String id, String ids, List<String> slots, Map<String, List<String>> verbs) {}

    record Domain(String name, String blurb, List<Obj> objects) {}

    static final Map<String, Verb> VERBS = new LinkedHashMap<>();

    private static void verb(String name, boolean plural, String desc, String... phrasings) {
        VERBS.put(name, new Verb(name, plural, desc, List.of(phrasings)));
    }

    static {
        verb("get", false, "Get the {n}.", "get the {n}", "look up the {n}", "show me the {n}", "tell me the {n}", "fetch the {n}");
        verb("search", true, "Search {p} matching the given filters.", "find {p}", "search for {p}", "look for {p}", "browse {p}", "hunt down {p}");
        verb("list", true, "List {p}.", "list {p}", "show all {p}", "give me the list of {p}", "enumerate {p}");
        verb("book", false, "Book {a}.", "book {a}", "reserve {a}", "make a booking for {a}", "secure {a}");
        verb("create", false, "Create {a}.", "create {a}", "set up {a}", "make {a}", "put together {a}");
        verb("cancel", false, "Cancel the {n}.", "cancel the {n}", "call off the {n}", "drop the {n}", "scrap the {n}");
        verb("update", false, "Update the {n}.", "update the {n}", "change the {n}", "modify the {n}", "amend the {n}");
        verb("send", false, "Send {a}.", "send {a}", "deliver {a}", "dispatch {a}", "fire off {a}");
        verb("track", false, "Track the {n}.", "track the {n}", "follow the {n}", "monitor the {n}", "keep tabs on the {n}");
        verb("play", false, "Play the {n}.", "play the {n}", "start the {n}", "put on the {n}", "queue up the {n}");
        verb("buy", false, "Buy {a}.", "buy {a}", "purchase {a}", "order {a}", "pick up {a}");
        verb("set", false, "Set the {n}.", "set the {n}", "adjust the {n}", "configure the {n}", "tune the {n}");
        verb("log", false, "Log {a}.", "log {a}", "record {a}", "note down {a}", "register {a}");
        verb("schedule", false, "Schedule {a}.", "schedule {a}", "arrange {a}", "plan {a}", "pencil in {a}");
        verb("delete", false, "Delete the {n}.", "delete the {n}", "remove the {n}", "erase the {n}", "get rid of the {n}");
        verb("subscribe", true, "Subscribe to {p}.", "subscribe to {p}", "sign up for {p}", "turn on {p}", "opt in to {p}");
        verb("add", false, "Add {a}.", "add {a}", "insert {a}", "include {a}", "slot in {a}");
    }

    /**
     * Domains, one line per object: noun | plural | id | plural id | slots | verbs. The last six domains are the
     * held-out (test-only) domains.
     */
    static final String SPEC = """
            # weather: Weather service
            forecast|forecasts|forecast|forecasts|city*,date,units,include_hourly,days|get
            air quality report|air quality reports|air_quality|air_quality_reports|city*,date|get
            weather alert|weather alerts|weather_alert|weather_alerts|city*,severity,days|list subscribe
            UV index|UV indices|uv_index|uv_indices|city*,date|get
            # flights: Air travel
            flight|flights|flight|flights|origin*,destination*,date*,passengers,cabin_class,max_price,refundable|search book
            flight status|flight statuses|flight_status|flight_statuses|flight_number*,date|get track
            flight booking|flight bookings|flight_booking|flight_bookings|booking_id*|cancel get update(booking_id*,date,cabin_class)
            # lodging: Hotels and rentals
            hotel|hotels|hotel|hotels|city*,start_date*,nights,guests,max_price,refundable|search
            hotel room|hotel rooms|room|rooms|hotel*,start_date*,nights*,guests|book
            hotel reservation|hotel reservations|reservation|reservations|booking_id*|cancel get
            vacation rental|vacation rentals|rental|rentals|city*,start_date*,nights,guests,max_price|search book
            # dining: Restaurants
            restaurant|restaurants|restaurant|restaurants|city*,cuisine,party_size,max_price|search
            table|tables|table|tables|restaurant*,date*,time*,party_size*|book
            table booking|table bookings|table_booking|table_bookings|booking_id*|cancel update(booking_id*,time,party_size)
            takeout order|takeout orders|takeout_order|takeout_orders|restaurant*,dish*,quantity,address|create
            # finance: Stock market
            stock quote|stock quotes|stock_quote|stock_quotes|ticker*,currency|get
            price history|price histories|price_history|price_histories|ticker*,period*,currency|get
            stock position|stock positions|stock|stocks|ticker*,shares*,max_price|buy
            watchlist entry|watchlist entries|watchlist_entry|watchlist_entries|ticker*,priority|create delete(ticker*)
            # banking: Personal banking
            account balance|account balances|balance|balances|account_id*,currency|get
            money transfer|money transfers|transfer|transfers|account_id*,recipient*,amount*,currency,urgent|send
            transaction|transactions|transaction|transactions|account_id*,start_date,limit|list search(account_id*,amount,start_date)
            exchange rate|exchange rates|exchange_rate|exchange_rates|currency*,target_currency*,amount|get
            # music: Music streaming
            song|songs|song|songs|song*,artist,shuffle,volume|play
            playlist|playlists|playlist|playlists|title*,genre,shuffle|create
            track|tracks|track|tracks|song*,playlist*,artist|add
            album|albums|album|albums|artist*,genre,year,limit|search
            # health: Health care
            doctor appointment|doctor appointments|appointment|appointments|doctor*,date*,time,symptom|schedule cancel(booking_id*)
            medication reminder|medication reminders|medication_reminder|medication_reminders|medication*,time*,dosage_mg,days|create delete(medication*)
            symptom entry|symptom entries|symptom|symptoms|symptom*,date,urgent|log
            pharmacy|pharmacies|pharmacy|pharmacies|city*,medication|search
            # fitness: Fitness tracking
            workout|workouts|workout|workouts|activity*,duration_minutes*,distance_km,date|log
            workout plan|workout plans|workout_plan|workout_plans|activity*,level,days|create
            fitness summary|fitness summaries|fitness_summary|fitness_summaries|period*,activity|get
            running route|running routes|route|routes|city*,distance_km,level|search
            # shopping: Online shop
            product|products|product|products|product*,color,size,max_price,limit|search
            item|items|item|items|product*,quantity*,color,size,express|buy
            order|orders|order|orders|order_id*|track cancel
            product review|product reviews|review|reviews|product*,limit|list
            # messaging: Messages and contacts
            text message|text messages|message|messages|recipient*,message*,urgent|send
            email|emails|email|emails|email*,title*,message,urgent|send
            chat message|chat messages|chat_message|chat_messages|recipient*,message*,channel*|send
            contact|contacts|contact|contacts|contact*,email|create search(contact*)
            # calendar: Calendar
            meeting|meetings|meeting|meetings|title*,date*,time*,duration_minutes,location,reminder_minutes|schedule cancel(title*,date*)
            event|events|event|events|date*,limit|list
            reminder|reminders|reminder|reminders|title*,date*,time,priority|create delete(title*)
            availability|availabilities|availability|availabilities|contact*,date*|get
            # sports: Sports results
            score|scores|score|scores|team*,date|get
            league table|league tables|standings|standings|league*,season|get
            player stat|player stats|player_stats|player_stats|player*,season|get
            match|matches|match|matches|team*,start_date,limit|list
            game ticket|game tickets|game_ticket|game_tickets|team*,date*,quantity,max_price|buy
            # recipes: Cooking
            recipe|recipes|recipe|recipes|ingredient*,diet,max_calories,limit|search
            recipe card|recipe cards|recipe_details|recipe_details|dish*,servings|get
            meal plan|meal plans|meal_plan|meal_plans|diet*,days*,max_calories|create
            shopping list|shopping lists|shopping_list|shopping_lists|dish*,servings|create
            nutrition label|nutrition labels|nutrition|nutrition_labels|dish*,servings|get
            # news: News
            headline|headlines|headline|headlines|topic*,language,limit|list
            article|articles|article|articles|topic*,start_date,language,limit|search
            news alert|news alerts|news_alert|news_alerts|topic*,channel|subscribe
            news digest|news digests|digest|digests|topic*,date|get
            # rides: Rides and transit
            ride|rides|ride|rides|address*,dropoff*,time,passengers|book
            fare estimate|fare estimates|fare_estimate|fare_estimates|address*,dropoff*|get
            ride booking|ride bookings|ride_booking|ride_bookings|booking_id*|cancel track
            bike|bikes|bike|bikes|city*,address|search
            transit route|transit routes|transit_route|transit_routes|address*,dropoff*,time|get
            # movies: Movies and cinema
            movie|movies|movie|movies|genre*,year,language,limit|search
            showtime|showtimes|showtime|showtimes|movie*,city*,date|list
            movie ticket|movie tickets|movie_ticket|movie_tickets|movie*,city*,date*,time,quantity|buy
            movie review|movie reviews|movie_review|movie_reviews|movie*,language,limit|get
            # smart_home: Smart home
            thermostat|thermostats|thermostat|thermostats|room*,temperature*|set
            light level|light levels|lights|lights|room*,brightness*|set
            device status|device statuses|device_status|device_statuses|device*,room|get
            home routine|home routines|routine|routines|title*,time*,device|create
            device event|device events|device_event|device_events|device*,start_date,limit|list
            # education: Courses and classes
            course|courses|course|courses|course*,level,language|search
            class session|class sessions|class_session|class_sessions|course*,date*,time*,duration_minutes|schedule
            grade|grades|grade|grades|student*,course*|get
            study plan|study plans|study_plan|study_plans|course*,days*,level|create
            # jobs: Job search
            job listing|job listings|job|jobs|job_title*,city,remote,min_salary,limit|search
            job application|job applications|application|applications|job_title*,company*,email|send
            interview|interviews|interview|interviews|company*,date*,time|schedule cancel(company*,date*)
            salary estimate|salary estimates|salary_estimate|salary_estimates|job_title*,city|get
            # real_estate: Property
            property|properties|property|properties|city*,property_type,bedrooms,max_rent|search
            viewing|viewings|viewing|viewings|address*,date*,time|schedule cancel(address*,date*)
            rent estimate|rent estimates|rent_estimate|rent_estimates|city*,bedrooms*,property_type|get
            mortgage quote|mortgage quotes|mortgage_quote|mortgage_quotes|amount*,currency|get
            # pets: Pet care
            vet appointment|vet appointments|vet_appointment|vet_appointments|pet_name*,species*,date*,time|book
            pet food|pet foods|pet_food|pet_foods|species*,weight_kg,quantity|buy
            pet sitter|pet sitters|pet_sitter|pet_sitters|city*,species*,start_date,nights|search
            feeding reminder|feeding reminders|feeding_reminder|feeding_reminders|pet_name*,time*|create
            """;

    /**
     * English nouns for invented objects ({@link World.Novel#ENGLISH}): none is a word of any tool's object, so
     * training on them never names a held-out tool; the tokenizer, trained on the training side only, splits them into
     * short pieces, as it splits the held-out tools' words.
     */
    static final List<String> NOVEL_NOUNS = List.of(
            "acorn", "almond", "amber", "anchor", "arrow", "badge", "bamboo", "banner", "barrel", "basket", "beacon",
            "beetle", "biscuit", "blanket", "blossom", "bottle", "boulder", "bracket", "breeze", "bridge", "bucket",
            "buckle", "button", "cabinet", "cactus", "candle", "canvas", "canyon", "carpet", "carrot", "castle",
            "cedar", "chapter", "cherry", "chimney", "circuit", "cloud", "comet", "compass", "cookie", "copper",
            "coral", "cotton", "coupon", "crate", "cricket", "crystal", "cushion", "daisy", "desert", "dolphin",
            "domino", "dossier", "dragon", "drawer", "engine", "fabric", "falcon", "feather", "fern", "fiddle",
            "flute", "folder", "forest", "fossil", "fountain", "gadget", "garden", "glacier", "gravel", "hammer",
            "harbor", "harvest", "hazel", "helmet", "honey", "invoice", "iris", "island", "ivory", "jacket",
            "jasmine", "jungle", "kayak", "kernel", "kettle", "kite", "ladder", "lagoon", "lantern", "lava",
            "ledger", "lemon", "lily", "lobster", "locker", "magnet", "mango", "manual", "maple", "marble", "meadow",
            "melon", "meteor", "mint", "mirror", "module", "mosaic", "mussel", "napkin", "nectar", "needle",
            "nickel", "nugget", "olive", "onion", "orbit", "orchard", "otter", "oyster", "packet", "paddle",
            "pallet", "panda", "parcel", "parrot", "peach", "pearl", "pebble", "pencil", "pepper", "pillow", "pine",
            "planet", "plum", "pocket", "poppy", "portal", "prism", "pumpkin", "puzzle", "quarry", "quartz", "quill",
            "radish", "raven", "reef", "ribbon", "river", "robin", "rocket", "saddle", "saffron", "salmon", "satin",
            "sensor", "shelf", "shell", "shovel", "sierra", "signal", "silver", "sketch", "socket", "spider",
            "spindle", "sponge", "spruce", "squid", "stencil", "straw", "summit", "tablet", "teapot", "thistle",
            "thunder", "timber", "tomato", "topaz", "trophy", "tulip", "tunnel", "turnip", "valley", "vapor",
            "velvet", "violin", "voucher", "wagon", "wallet", "walnut", "walrus", "wheat", "whistle", "widget",
            "willow", "window", "wizard", "workshop", "yarn", "yogurt", "zebra", "zinc", "zipper");

    /** The held-out (test-only) domains. */
    static final List<String> HELD_OUT_DOMAINS = List.of("movies", "smart_home", "education", "jobs", "real_estate", "pets");

    static List<Domain> domains() {
        List<Domain> out = new ArrayList<>();
        String name = null, blurb = null;
        List<Obj> objs = null;
        for (String line : SPEC.split("\n")) {
            line = line.strip();
            if (line.isEmpty()) continue;
            if (line.startsWith("#")) {
                if (name != null) out.add(new Domain(name, blurb, objs));
                String[] p = line.substring(1).split(":", 2);
                name = p[0].strip();
                blurb = p[1].strip();
                objs = new ArrayList<>();
                continue;
            }
            String[] f = line.split("\\|");
            if (f.length != 6) throw new IllegalStateException("bad catalog line: " + line);
            Map<String, List<String>> verbs = new LinkedHashMap<>();
            for (String v : f[5].trim().split(" ")) {
                int paren = v.indexOf('(');
                String vn = paren < 0 ? v : v.substring(0, paren);
                if (!VERBS.containsKey(vn)) throw new IllegalStateException("unknown verb " + vn);
                verbs.put(vn, paren < 0 ? null : List.of(v.substring(paren + 1, v.length() - 1).split(",")));
            }
            objs.add(new Obj(f[0], f[1], f[2], f[3], List.of(f[4].split(",")), verbs));
        }
        if (name != null) out.add(new Domain(name, blurb, objs));
        return out;
    }

    /**
     * Sentence frames around "{action} {args}" (the action phrase and the argument phrases). Train and test use
     * disjoint frames.
     */
    static final List<String> TRAIN_FRAMES = List.of(
            "{Action} {args}.", "Can you {action} {args}?", "Please {action} {args}.", "I want to {action} {args}.",
            "I'd like you to {action} {args}.", "Could you {action} {args} for me?", "Hey, {action} {args}.",
            "Help me {action} {args}.", "{Action} {args}, please.", "I need to {action} {args}.");
    static final List<String> TEST_FRAMES = List.of(
            "Would it be possible to {action} {args}?", "Quick request: {action} {args}.", "I need you to {action} {args} right away.",
            "Is there any way you could {action} {args}?", "My task for you: {action} {args}.", "{Action} {args}, thanks a lot!");

    /** How two requests are joined in a two-call query. */
    static final List<String> TRAIN_JOINS = List.of(" and ", ", and also ", ", then ");
    static final List<String> TEST_JOINS = List.of(" and after that ", "; additionally, ");
}
