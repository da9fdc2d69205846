package automock

// Mix is the finalizer of splitmix64: a fixed, well-spread hash step.
func Mix(h uint64) uint64 {
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return h
}

// HashString folds s into h (FNV-1a, then mixed).
func HashString(h uint64, s string) uint64 { return hash(h, s) }

// hash is HashString of a string or of its bytes.
func hash[T ~string | ~[]byte](h uint64, s T) uint64 {
	h ^= 0xcbf29ce484222325
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 0x100000001b3
	}
	return Mix(h)
}

// HashIndex folds a list index into h.
func HashIndex(h uint64, i int) uint64 { return Mix(h ^ (uint64(i)+1)*0x9e3779b97f4a7c15) }

// EntitySeed is the seed of the object of type typ with id id.
func EntitySeed(typ, id string) uint64 { return hash(hash(1, typ), id) }

// GenEntity is GenID(gen), as bytes, and EntitySeed(typ, GenID(gen)),
// without building the id as a string.
func GenEntity(typ string, gen uint64) (id [10]byte, seed uint64) {
	return id, hash(hash(1, typ), AppendGenID(id[:0], gen))
}

const idAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// GenID is a stable 10-character id of letters and digits, shaped like
// Tribe's.
func GenID(seed uint64) string {
	var b [10]byte
	return string(AppendGenID(b[:0], seed))
}

// AppendGenID appends GenID(seed).
func AppendGenID(b []byte, seed uint64) []byte {
	h := seed
	for i := range 10 {
		b = append(b, idAlphabet[h%62])
		h /= 62
		if h == 0 {
			h = Mix(seed + uint64(i))
		}
	}
	return b
}
