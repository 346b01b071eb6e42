//! `blocks`: who blocked whom. A blocked user cannot see the blocker's profile details (and,
//! as those features arrive, cannot message, call, see presence or add them to groups).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "blocks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub blocker_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub blocked_id: String,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::BlockedId",
        to = "super::users::Column::Id",
        on_delete = "Cascade"
    )]
    Blocked,
}

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Blocked.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
