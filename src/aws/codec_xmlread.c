/*
 * codec_xmlread.c - one pass from a query-protocol XML reply to the output document, guided by
 * the model.
 *
 * The reference path (cpw_xml_parse, then the walk in codec_query_xml.c) builds libxml2's tree of
 * the whole reply and then the document from it. This reader takes libxml2's events instead
 * (cpw_xml_stream) and builds the document as elements close: a structure's member is its first
 * child element of the member's XML name (later ones are skipped, as the walk never looks at
 * them), a flattened list gathers every child of that name, a list every child element, and the
 * members are inserted in the model's order, as the walk inserts them.
 *
 * It is an accelerator, not a second definition of the protocol: whenever a reply is anything
 * but one the walk reads the same way (malformed XML, a scalar that does not convert, a scalar
 * element holding elements, comments or CDATA, a map, nesting past the limit, members sharing
 * an XML name, no result wrapper), it gives up without raising and the caller runs the
 * reference path, which then produces the document or the exact error it always produced.
 */
#include <string.h>

#include "codec_internal.h"
#include "cpw/alloc.h"
#include "cpw/buf.h"
#include "cpw/codec.h"
#include "cpw/xml.h"

#define XR_MAX_MEMBERS 128 /* members of one structure; larger ones go the reference way */
#define XR_MAX_SHAPES  32  /* structures resolved per reply */
#define XR_MAX_FRAMES  (CPW_CODEC_MAX_DEPTH + 8)
#define XR_MAX_SLOTS   512 /* member values of the open structures; more go the reference way */

enum xr_kind {
    XR_OTHER, /* maps and anything unknown: the reference path reads them */
    XR_STRUCTURE,
    XR_LIST,
    XR_SCALAR,
};

/* One member of a structure, resolved once per reply. */
struct xr_member {
    const char *name;     /* the document's key */
    const char *xml_name; /* the element's name */
    const json_t *shape;  /* the member's shape */
    enum xr_kind kind;
    bool flat_list;
};

struct xr_struct {
    const json_t *shape;
    size_t count;
    struct xr_member *members; /* owned */
};

enum xr_frame_kind {
    FRAME_ROOT,   /* the document's root element: looking for the result wrapper */
    FRAME_SKIP,   /* an element nothing reads, and everything inside it */
    FRAME_STRUCT, /* a structure's element */
    FRAME_LIST,   /* a (not flattened) list's element */
    FRAME_SCALAR, /* a scalar's element */
};

struct xr_frame {
    enum xr_frame_kind kind;
    int depth; /* as the reference walk counts it */
    const json_t *shape;
    const struct xr_struct *st; /* FRAME_STRUCT */
    json_t **values;            /* FRAME_STRUCT: one slot per member, in model order */
    json_t *list;               /* FRAME_LIST */
    const json_t *item_shape;   /* FRAME_LIST */
    enum xr_kind item_kind;     /* FRAME_LIST */
    size_t member;              /* the member of the parent structure this element fills */
};

struct xr {
    const struct cpw_model_service *svc;
    const json_t *shape; /* the output */
    const char *wrapper; /* the result wrapper's name, or NULL: the root is the result */
    bool found;          /* the result was read */
    json_t *result;
    size_t skip; /* open elements inside a FRAME_SKIP */
    size_t n_frames;
    struct xr_frame frames[XR_MAX_FRAMES];
    json_t *slots[XR_MAX_SLOTS]; /* the open structures' values, a stack of runs */
    size_t n_slots;
    size_t n_structs;
    struct xr_struct structs[XR_MAX_SHAPES];
    struct cpw_buf text; /* the open scalar's text */
};

static enum xr_kind s_kind(const json_t *shape)
{
    const char *t = cpw_codec_type(shape);
    if (strcmp(t, "structure") == 0) {
        return XR_STRUCTURE;
    }
    if (strcmp(t, "list") == 0) {
        return XR_LIST;
    }
    if (strcmp(t, "map") == 0) {
        return XR_OTHER;
    }
    return XR_SCALAR;
}

static bool s_flattened(const json_t *ref, const json_t *shape)
{
    return json_is_true(json_object_get(ref, "flattened")) ||
           json_is_true(json_object_get(shape, "flattened"));
}

/* The resolved members of structure shape, or NULL for one the reference path must read. */
static const struct xr_struct *s_struct(struct xr *x, const json_t *shape)
{
    for (size_t i = 0; i < x->n_structs; i++) {
        if (x->structs[i].shape == shape) {
            return &x->structs[i];
        }
    }
    if (x->n_structs >= XR_MAX_SHAPES) {
        return NULL;
    }
    const json_t *members = json_object_get(shape, "members");
    if (json_object_size(members) > XR_MAX_MEMBERS) {
        return NULL;
    }
    struct xr_struct *st = &x->structs[x->n_structs];
    st->shape = NULL;
    st->count = 0;
    st->members = cpw_malloc((json_object_size(members) + 1) * sizeof(st->members[0]));
    x->n_structs++; /* released with the reader, complete or not */
    const char *name;
    json_t *mref;
    json_object_foreach((json_t *)members, name, mref)
    {
        const json_t *mshape = cpw_codec_target(x->svc, mref);
        if (!mshape) {
            return NULL;
        }
        struct xr_member *m = &st->members[st->count];
        m->name = name;
        m->shape = mshape;
        m->kind = s_kind(mshape);
        m->flat_list = false;
        m->xml_name = cpw_codec_wire_name(mref, name);
        if (s_flattened(mref, mshape)) {
            if (m->kind == XR_LIST) {
                /* botocore _member_key_name: the item's locationName when it has one */
                const char *item = cpw_codec_str(json_object_get(mshape, "member"), "locationName");
                m->xml_name = item ? item : m->xml_name;
                m->flat_list = true;
            } else if (m->kind != XR_STRUCTURE && m->kind != XR_SCALAR) {
                return NULL; /* a flattened map */
            }
        }
        for (size_t j = 0; j < st->count; j++) {
            if (strcmp(st->members[j].xml_name, m->xml_name) == 0) {
                return NULL; /* two members read from the same element */
            }
        }
        st->count++;
    }
    st->shape = shape; /* usable: found by the next lookup */
    return st;
}

/* Opens a frame for an element holding a value of shape (of kind). */
static int s_push(struct xr *x, const json_t *shape, enum xr_kind kind, int depth, size_t member)
{
    if (depth > CPW_CODEC_MAX_DEPTH || x->n_frames >= XR_MAX_FRAMES) {
        return -1;
    }
    struct xr_frame *f = &x->frames[x->n_frames];
    memset(f, 0, sizeof(*f));
    f->depth = depth;
    f->shape = shape;
    f->member = member;
    switch (kind) {
    case XR_STRUCTURE:
        f->kind = FRAME_STRUCT;
        f->st = s_struct(x, shape);
        if (!f->st) {
            return -1;
        }
        if (XR_MAX_SLOTS - x->n_slots < f->st->count) {
            return -1;
        }
        f->values = x->slots + x->n_slots;
        x->n_slots += f->st->count;
        memset(f->values, 0, f->st->count * sizeof(f->values[0]));
        break;
    case XR_LIST:
        f->kind = FRAME_LIST;
        f->item_shape = cpw_codec_target(x->svc, json_object_get(shape, "member"));
        if (!f->item_shape) {
            return -1;
        }
        f->item_kind = s_kind(f->item_shape);
        if (f->item_kind == XR_OTHER) {
            return -1;
        }
        f->list = json_array();
        break;
    case XR_SCALAR:
        f->kind = FRAME_SCALAR;
        cpw_buf_reset(&x->text);
        break;
    default:
        return -1;
    }
    x->n_frames++;
    return 0;
}

static int s_skip(struct xr *x)
{
    x->skip = 1;
    return 0;
}

static int s_start(void *user, const char *name)
{
    struct xr *x = user;
    if (x->skip) {
        x->skip++;
        return 0;
    }
    if (x->n_frames == 0) {
        if (x->found) {
            return -1; /* not reached: a document has one root */
        }
        if (!x->wrapper) {
            x->found = true;
            return s_push(x, x->shape, XR_STRUCTURE, 0, 0);
        }
        x->frames[0] = (struct xr_frame){ .kind = FRAME_ROOT };
        x->n_frames = 1;
        return 0;
    }
    struct xr_frame *f = &x->frames[x->n_frames - 1];
    switch (f->kind) {
    case FRAME_ROOT:
        if (x->found || strcmp(name, x->wrapper) != 0) {
            return s_skip(x);
        }
        x->found = true;
        return s_push(x, x->shape, XR_STRUCTURE, 0, 0);
    case FRAME_STRUCT:
        for (size_t i = 0; i < f->st->count; i++) {
            const struct xr_member *m = &f->st->members[i];
            if (strcmp(m->xml_name, name) != 0) {
                continue;
            }
            if (m->flat_list) {
                const json_t *ishape =
                  cpw_codec_target(x->svc, json_object_get(m->shape, "member"));
                enum xr_kind ikind = ishape ? s_kind(ishape) : XR_OTHER;
                if (ikind == XR_OTHER) {
                    return -1;
                }
                if (!f->values[i]) {
                    f->values[i] = json_array();
                }
                return s_push(x, ishape, ikind, f->depth + 2, i);
            }
            if (f->values[i]) {
                return s_skip(x); /* the walk reads the first such child only */
            }
            return s_push(x, m->shape, m->kind, f->depth + 1, i);
        }
        return s_skip(x);
    case FRAME_LIST:
        return s_push(x, f->item_shape, f->item_kind, f->depth + 1, 0);
    default:
        return -1; /* an element inside a scalar: the walk reads it as one text */
    }
}

/* Hands value (owned) to the frame below the one just closed. */
static int s_deliver(struct xr *x, size_t member, json_t *value)
{
    if (x->n_frames == 0) {
        x->result = value;
        return 0;
    }
    struct xr_frame *parent = &x->frames[x->n_frames - 1];
    if (parent->kind == FRAME_ROOT) {
        x->result = value;
        return 0;
    }
    if (parent->kind == FRAME_LIST) {
        json_array_append_new(parent->list, value);
        return 0;
    }
    if (parent->kind == FRAME_STRUCT) {
        json_t **slot = &parent->values[member];
        if (parent->st->members[member].flat_list) {
            json_array_append_new(*slot, value);
        } else {
            *slot = value;
        }
        return 0;
    }
    json_decref(value);
    return -1;
}

static int s_end(void *user)
{
    struct xr *x = user;
    if (x->skip) {
        x->skip--;
        return 0;
    }
    if (x->n_frames == 0) {
        return -1;
    }
    struct xr_frame *f = &x->frames[--x->n_frames];
    json_t *value = NULL;
    switch (f->kind) {
    case FRAME_ROOT:
        return x->found && x->result ? 0 : -1;
    case FRAME_STRUCT: {
        value = json_object();
        for (size_t i = 0; i < f->st->count; i++) {
            if (f->values[i]) {
                json_object_set_new_nocheck(value, f->st->members[i].name, f->values[i]);
                f->values[i] = NULL;
            }
        }
        x->n_slots -= f->st->count;
        break;
    }
    case FRAME_LIST:
        value = f->list;
        f->list = NULL;
        break;
    case FRAME_SCALAR:
        if (cpw_codec_scalar_parse(f->shape, cpw_buf_span(&x->text), &value)) {
            return -1; /* the reference path raises the error */
        }
        break;
    default:
        return -1;
    }
    return s_deliver(x, f->member, value);
}

static int s_text(void *user, const char *text, size_t len)
{
    struct xr *x = user;
    if (x->skip || x->n_frames == 0 || x->frames[x->n_frames - 1].kind != FRAME_SCALAR) {
        return 0; /* text around elements: the walk never reads it */
    }
    return cpw_buf_append(&x->text, cpw_span_from((const uint8_t *)text, len));
}

static int s_other(void *user)
{
    struct xr *x = user;
    if (x->skip || x->n_frames == 0 || x->frames[x->n_frames - 1].kind != FRAME_SCALAR) {
        return 0;
    }
    return -1; /* a comment or CDATA in a scalar: the reference path reads such text */
}

static void s_release(struct xr *x)
{
    for (size_t i = 0; i < x->n_frames; i++) {
        struct xr_frame *f = &x->frames[i];
        if (f->kind == FRAME_STRUCT) {
            for (size_t j = 0; j < f->st->count; j++) {
                json_decref(f->values[j]);
            }
        }
        json_decref(f->list);
    }
    x->n_frames = 0;
}

int cpw_codec_xml_read(const struct cpw_model_service *svc,
                       const json_t *shape,
                       const char *wrapper,
                       struct cpw_span body,
                       json_t **out)
{
    *out = NULL;
    if (!shape || s_kind(shape) != XR_STRUCTURE) {
        return -1;
    }
    /* On the stack (about 9 KB): a large allocation per reply would make malloc consolidate
     * the small blocks the previous reply's document freed. */
    struct xr reader;
    struct xr *x = &reader;
    x->svc = svc;
    x->shape = shape;
    x->wrapper = wrapper;
    x->found = false;
    x->result = NULL;
    x->skip = 0;
    x->n_frames = 0;
    x->n_slots = 0;
    x->n_structs = 0;
    cpw_buf_init(&x->text, CPW_HTTP_MAX_BODY_BYTES);
    static const struct cpw_xml_events events = {
        .start = s_start,
        .end = s_end,
        .text = s_text,
        .other = s_other,
    };
    int rc = cpw_xml_stream(body, &events, x);
    s_release(x);
    if (rc == 0 && x->result) {
        *out = x->result;
    } else {
        json_decref(x->result);
        rc = -1;
    }
    cpw_buf_clean_up(&x->text);
    for (size_t i = 0; i < x->n_structs; i++) {
        cpw_free(x->structs[i].members);
    }
    return rc;
}
