/**
 * Generated values for open slots: compositional pools of names, emails, places, codes and descriptions, each split by
 * a stable hash into a training share and a held-out share that evaluation uses to measure values never trained on.
 */
package dev.subterra.synthesis.values;
